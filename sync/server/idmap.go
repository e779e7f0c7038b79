package server

import (
	"strings"

	"github.com/google/uuid"
)

// The hub's index and the viewers hold, for each connection, the ids of
// the cases, citizens and desks it follows: at the load model's million
// citizens, ~700,000 ids for 2,000 desktops, each the 36 bytes of a
// UUID's text (48 with its allocation) plus a 16-byte string header in
// every map and list that holds it: 106 of syncd's 177 MB of live heap,
// which kept the collector running back to back under the memory limit
// (issue 4). An idMap keeps an id syncd made (a UUID) as its 16 bytes,
// with no pointer for the collector to follow, and any other id (the
// demo's, an import's) as its text.

// uuidKey is a UUID's 16 bytes.
type uuidKey [16]byte

// idKey is an id as an idMap keeps it: its UUID, or its text when it is
// not a UUID in syncd's spelling.
type idKey struct {
	uuid    uuidKey
	text    string
	textual bool
}

// keyOf returns id's key. Only the spelling syncd writes (36 characters,
// lowercase hex, dashes at 8, 13, 18 and 23) is read as a UUID, so two
// different ids never share a key.
func keyOf(id string) idKey {
	if u, ok := parseUUID(id); ok {
		return idKey{uuid: u}
	}
	return idKey{text: id, textual: true}
}

// parseUUID reads a UUID in syncd's spelling. uuid.Parse reads the
// dashed form in either case (and other forms, of other lengths): only
// the lowercase one is taken, so that no two ids share a key.
func parseUUID(s string) (uuidKey, bool) {
	if len(s) != 36 || strings.ToLower(s) != s { // ToLower allocates only for an uppercase id
		return uuidKey{}, false
	}
	u, err := uuid.Parse(s)
	return uuidKey(u), err == nil
}

// idMap maps ids to values: UUIDs by their bytes, other ids by their
// text. The zero idMap is empty and ready to use.
type idMap[V any] struct {
	uuids map[uuidKey]V
	texts map[string]V
}

// get returns k's value and whether k is in m.
func (m *idMap[V]) get(k idKey) (V, bool) {
	var v V
	var ok bool
	if !k.textual {
		v, ok = m.uuids[k.uuid]
	} else {
		v, ok = m.texts[k.text]
	}
	return v, ok
}

// has reports whether k is in m.
func (m *idMap[V]) has(k idKey) bool {
	_, ok := m.get(k)
	return ok
}

// set puts k in m with value v.
func (m *idMap[V]) set(k idKey, v V) {
	if !k.textual {
		if m.uuids == nil {
			m.uuids = make(map[uuidKey]V)
		}
		m.uuids[k.uuid] = v
		return
	}
	if m.texts == nil {
		m.texts = make(map[string]V)
	}
	m.texts[k.text] = v
}

// del removes k from m.
func (m *idMap[V]) del(k idKey) {
	if !k.textual {
		delete(m.uuids, k.uuid)
	} else {
		delete(m.texts, k.text)
	}
}

// len returns how many ids m holds.
func (m *idMap[V]) len() int { return len(m.uuids) + len(m.texts) }

// each calls fn for each id of m, in no order.
func (m *idMap[V]) each(fn func(k idKey)) {
	for u := range m.uuids {
		fn(idKey{uuid: u})
	}
	for t := range m.texts {
		fn(idKey{text: t, textual: true})
	}
}

// idSet is a set of ids.
type idSet = idMap[struct{}]

// newIDSet returns a set of ids, "" left out.
func newIDSet(ids []string) idSet {
	var s idSet
	for _, id := range ids {
		if id != "" {
			s.set(keyOf(id), struct{}{})
		}
	}
	return s
}
