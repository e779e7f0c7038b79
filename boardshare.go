package sportello

// ReassignedNote is the note syncd writes on a callback's case when a
// supervisor gives the callback to another owner: its change makes every
// desktop's callback list read itself again.
func ReassignedNote(from, to string) string {
	return "Richiamata riassegnata a " + to + " (da " + from + ")"
}
