package server

import "github.com/sportello/sportello"

// connSet is a set of WebSocket connections.
type connSet map[*wsConn]struct{}

// connList is a key's connections in the index: most keys (a case, a
// citizen) have one, and a slice of one is a tenth of a map's memory (at
// a million citizens the index held ~250,000 keys for 2,000 desktops:
// 50 MB as maps; issue 4). A desk's has its specialists: tens.
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

// indexKey is one entry of a connection in the hub's index, by a UUID;
// textKey one by another id (idmap.go).
type indexKey struct {
	kind indexKind
	uuid uuidKey
}

type textKey struct {
	kind indexKind
	text string
}

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
	by    [indexKinds]idMap[connList]
}

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
	x.put(c, byUser, v.userID)
	v.mu.Lock() // the hub's lock, then a viewer's: never the other way
	defer v.mu.Unlock()
	for _, named := range [...]struct {
		kind indexKind
		ids  *idSet
	}{{byCase, &v.cases}, {byCitizen, &v.citizens}, {byDesk, &v.desks}} {
		named.ids.each(func(k idKey) { x.putKey(c, named.kind, k) })
	}
}

// put indexes c under id, once; a connection offered every change needs
// no key.
func (x *hubIndex) put(c *wsConn, kind indexKind, id string) {
	if id != "" {
		x.putKey(c, kind, keyOf(id))
	}
}

// putKey is put with the id's key.
func (x *hubIndex) putKey(c *wsConn, kind indexKind, k idKey) {
	if c.everyChange {
		return
	}
	l, _ := x.by[kind].get(k)
	if l.has(c) {
		return
	}
	x.by[kind].set(k, append(l, c))
	if k.textual {
		c.textKeys = append(c.textKeys, textKey{kind, k.text})
	} else {
		c.keys = append(c.keys, indexKey{kind, k.uuid})
	}
}

// drop removes c from the index; dropping it again does nothing.
func (x *hubIndex) drop(c *wsConn) {
	delete(x.every, c)
	for _, k := range c.keys {
		x.unput(c, k.kind, idKey{uuid: k.uuid})
	}
	for _, k := range c.textKeys {
		x.unput(c, k.kind, idKey{text: k.text, textual: true})
	}
	c.keys, c.textKeys = nil, nil
}

// unput removes c from k's connections.
func (x *hubIndex) unput(c *wsConn, kind indexKind, k idKey) {
	l, _ := x.by[kind].get(k)
	if l = l.without(c); len(l) > 0 {
		x.by[kind].set(k, l)
	} else {
		x.by[kind].del(k)
	}
}

// of returns the connections indexed under id.
func (x *hubIndex) of(kind indexKind, id string) connList {
	if id == "" {
		return nil
	}
	l, _ := x.by[kind].get(keyOf(id))
	return l
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
		for _, c := range h.idx.of(byUser, ch.Event.AuthorID) {
			h.idx.put(c, byCase, ch.CaseID)
			once(c)
		}
	}
	for _, c := range h.idx.of(byCase, ch.CaseID) {
		once(c)
	}
	for _, c := range h.idx.of(byCitizen, ch.CitizenID) {
		once(c)
	}
	for _, c := range h.idx.of(byDesk, ch.DeskID) {
		once(c)
	}
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
