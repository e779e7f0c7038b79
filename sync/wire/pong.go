package wire

// PongAfter returns the answer to a ping that says how far the connection
// is in sync: every change up to cursor that the user may see has been
// sent on this connection before the pong, and prev is the last change
// sent (or the connection's start), as a visible-only change frame's prev.
//
// syncd pushes a desktop only its working set, so the last change a
// desktop received can lie far behind syncd's head, or be 0 on a desktop
// pushed nothing yet. The pong's cursor is syncd's head as this
// connection has delivered it: the desktop shows it as its sync position
// and, when prev is at or below its own cursor (it received everything
// sent), resumes from it after a reconnect. A prev above its cursor means
// it missed a frame: it subscribes again from its cursor, as for a gap.
func PongAfter(cursor, prev int64) ServerFrame {
	return ServerFrame{Type: FramePong, Cursor: cursor, Prev: &prev}
}
