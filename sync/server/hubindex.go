package server

import "github.com/sportello/sportello"

// connSet is a set of WebSocket connections.
type connSet map[*wsConn]struct{}

// connList is the connections of a key in the index that has more than
// one (connIndex): a desk's specialists, tens; a slice, a tenth of a
// map's memory (issue 4).
type connList []*wsConn

// has reports whether c is in l.
func (l connList) has(c *wsConn) bool {
	for _, x := range l {
		if x == c {
			return true
		}
	}
	return false
}

// without returns l less c, in any order.
func (l connList) without(c *wsConn) connList {
	for i, x := range l {
		if x == c {
			last := len(l) - 1
			l[i], l[last] = l[last], nil
			return l[:last]
		}
	}
	return l
}

// indexKind names what the hub's index finds connections by.
type indexKind uint8

// A change is offered to the connections of its event's author, of its
// case, of its citizen and of its desk.
const (
	byUser indexKind = iota
	byCase
	byCitizen
	byDesk
	indexKinds
)

// hubIndex finds the connections a change may be offered to without
// asking every connection's viewer: at 2,000 desktops, calling visible()
// on each connection for each change was a third of syncd's CPU, and
// nearly every change is for a handful of them. A visible-only feed is
// indexed by its user and by the cases, citizens and desks its viewer
// names; any other connection (a viewer that sees every change, or the
// default feed, which sends a placeholder for each change its user may
// not see) is in every. Guarded by the hub's mu.
type hubIndex struct {
	every connSet
	by    [indexKinds]connIndex
}

// connIndex maps ids to the connections indexed under them. Most ids (a
// case, a citizen) have one connection, kept as a pointer: an entry a
// third the size of a list's (issue 4); an id with more has a list.
type connIndex struct {
	one  idMap[*wsConn]
	many idMap[connList]
}

// each calls fn for each connection indexed under k.
func (x *connIndex) each(k idKey, fn func(c *wsConn)) {
	if c, ok := x.one.get(k); ok {
		fn(c)
		return
	}
	l, _ := x.many.get(k)
	for _, c := range l {
		fn(c)
	}
}

// add indexes c under k, once.
func (x *connIndex) add(k idKey, c *wsConn) {
	if first, ok := x.one.get(k); ok {
		if first != c {
			x.one.del(k)
			x.many.set(k, connList{first, c})
		}
		return
	}
	switch l, ok := x.many.get(k); {
	case !ok:
		x.one.set(k, c)
	case !l.has(c):
		x.many.set(k, append(l, c))
	}
}

// remove takes c from k's connections.
func (x *connIndex) remove(k idKey, c *wsConn) {
	if first, ok := x.one.get(k); ok {
		if first == c {
			x.one.del(k)
		}
		return
	}
	l, _ := x.many.get(k)
	switch l = l.without(c); len(l) {
	case 0:
		x.many.del(k)
	case 1:
		x.many.del(k)
		x.one.set(k, l[0])
	default:
		x.many.set(k, l)
	}
}

// len returns how many ids have connections.
func (x *connIndex) len() int { return x.one.len() + x.many.len() }

func newHubIndex() hubIndex {
	return hubIndex{every: make(connSet)}
}

// add indexes c by what its viewer names now; what the viewer learns
// later is indexed as it does (put).
func (x *hubIndex) add(c *wsConn) {
	v := c.viewer
	if !c.visible || v == nil || v.all {
		c.everyChange = true
		x.every[c] = struct{}{}
		return
	}
	c.indexed = true
	x.by[byUser].add(keyOf(v.userID), c)
	v.mu.Lock() // the hub's lock, then a viewer's: never the other way
	defer v.mu.Unlock()
	v.eachNamed(func(kind indexKind, k idKey) { x.by[kind].add(k, c) })
}

// put indexes c under id; a connection offered every change needs no
// key. The viewer names the id too: c is indexed by its user and by what
// its viewer names, and nothing else, so that drop finds every key in the
// viewer's sets. A list of each connection's keys kept beside them was a
// tenth of syncd's live heap at the load model's scale (issue 4).
func (x *hubIndex) put(c *wsConn, kind indexKind, id string) {
	if id == "" || !c.indexed {
		return
	}
	k := keyOf(id)
	c.viewer.name(kind, k)
	x.by[kind].add(k, c)
}

// drop removes c from the index; dropping it again does nothing.
func (x *hubIndex) drop(c *wsConn) {
	delete(x.every, c)
	if !c.indexed {
		return
	}
	c.indexed = false
	v := c.viewer
	x.by[byUser].remove(keyOf(v.userID), c)
	v.mu.Lock()
	defer v.mu.Unlock()
	// The viewer may name ids c was not indexed by yet (a case it learned
	// from its backlog before watchCase): removing c from those does
	// nothing.
	v.eachNamed(func(kind indexKind, k idKey) { x.by[kind].remove(k, c) })
}

// each calls fn for each connection indexed under id.
func (x *hubIndex) each(kind indexKind, id string, fn func(c *wsConn)) {
	if id != "" {
		x.by[kind].each(keyOf(id), fn)
	}
}

// offerEach calls offer once for each connection that may see ch: every
// connection for a knowledge-base or directory change, which every
// desktop keeps. The connections of the event's author are indexed by
// its case from now on, as their viewers learn it (viewer.visible).
// offer must not drop a connection from the index (the lists it walks
// would change under it). Called with h.mu held.
func (h *hub) offerEach(ch sportello.Change, offer func(c *wsConn)) {
	h.round++
	once := func(c *wsConn) {
		if c.offered != h.round {
			c.offered = h.round
			offer(c)
		}
	}
	if ch.Kind == sportello.ChangeKindKB || ch.Kind == sportello.ChangeKindDirectory {
		for c := range h.conns {
			once(c)
		}
		return
	}
	for c := range h.idx.every {
		once(c)
	}
	if ch.Event != nil && ch.Event.AuthorID != "" {
		h.idx.each(byUser, ch.Event.AuthorID, func(c *wsConn) {
			h.idx.put(c, byCase, ch.CaseID)
			once(c)
		})
	}
	h.idx.each(byCase, ch.CaseID, once)
	h.idx.each(byCitizen, ch.CitizenID, once)
	h.idx.each(byDesk, ch.DeskID, once)
}

// watchCase indexes c by a case its viewer learned from a change its
// writer sent from the store (a backlog), not through publish.
func (h *hub) watchCase(c *wsConn, caseID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[c]; ok {
		h.idx.put(c, byCase, caseID)
	}
}

// ownEvent reports whether ch is an event c's user wrote on a case, on a
// connection indexed by key: its viewer learns the case (viewer.visible).
// The hub indexes it when it publishes ch; a change c's writer reads from
// the store has not been published to c.
func (c *wsConn) ownEvent(ch sportello.Change) bool {
	return !c.everyChange && c.viewer != nil && ch.Event != nil && ch.CaseID != "" && ch.Event.AuthorID == c.viewer.userID
}
