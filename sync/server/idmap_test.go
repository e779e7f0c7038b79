package server

import (
	"slices"
	"testing"

	"github.com/google/uuid"
)

// TestIDMap: a UUID in syncd's spelling is kept as its bytes, any other
// id as its text, and no two different ids share an entry: an id that
// differs from a UUID only in case or dashes, a truncated one, "" and
// the all-zero UUID are all distinct.
func TestIDMap(t *testing.T) {
	v7 := uuid.Must(uuid.NewV7()).String()
	if k := keyOf(v7); k.textual || uuid.UUID(k.uuid).String() != v7 {
		t.Fatalf("keyOf(%s) = %+v: want its bytes", v7, k)
	}
	if n := testing.AllocsPerRun(100, func() { keyOf(v7) }); n != 0 {
		t.Errorf("keyOf allocates %.0f times a UUID: it runs for each change offered", n)
	}
	ids := []string{
		v7,
		"01A21774-0001-7446-B2D1-000000000001", // uppercase: text
		"01a21774-0001-7446-b2d1-000000000001",
		"01a21774000174460b2d1000000000000001", // no dashes, 36 long: text
		"01a21774-0001-7446-b2d1-00000000000",  // 35 long: text
		"01a21774-0001-7446-b2d1-00000000000g", // not hex: text
		"00000000-0000-0000-0000-000000000000",
		"",
		"k-1",
		"desk-anagrafe",
	}
	var m idMap[int]
	for i, id := range ids {
		m.set(keyOf(id), i)
	}
	if m.len() != len(ids) {
		t.Fatalf("%d entries for %d different ids", m.len(), len(ids))
	}
	for i, id := range ids {
		if got, ok := m.get(keyOf(id)); !ok || got != i {
			t.Errorf("get(%q) = %d, %v; want %d", id, got, ok, i)
		}
	}
	if len(m.uuids) != 3 {
		t.Errorf("%d ids kept as bytes, want 3 (the lowercase UUIDs)", len(m.uuids))
	}
	var seen []string
	m.each(func(k idKey) {
		if k.textual {
			seen = append(seen, k.text)
		} else {
			seen = append(seen, uuid.UUID(k.uuid).String())
		}
	})
	slices.Sort(seen)
	want := slices.Sorted(slices.Values(ids))
	if !slices.Equal(seen, want) {
		t.Errorf("each gave %q, want %q", seen, want)
	}
	m.del(keyOf(ids[2]))
	if m.has(keyOf(ids[2])) || !m.has(keyOf(ids[1])) || m.len() != len(ids)-1 {
		t.Errorf("after deleting %s: has it %v, has %s %v, %d left", ids[2], m.has(keyOf(ids[2])), ids[1], m.has(keyOf(ids[1])), m.len())
	}
}

// TestConnIndex: an id's connections move from the single entry to a list
// and back as connections are added and removed, in any order, and each
// sees exactly the connections indexed.
func TestConnIndex(t *testing.T) {
	a, b, c := &wsConn{}, &wsConn{}, &wsConn{}
	k := keyOf(uuid.Must(uuid.NewV7()).String())
	var x connIndex
	conns := func() []*wsConn {
		var out []*wsConn
		x.each(k, func(c *wsConn) { out = append(out, c) })
		return out
	}
	same := func(step string, want ...*wsConn) {
		t.Helper()
		got := conns()
		if len(got) != len(want) {
			t.Fatalf("%s: %d connections, want %d", step, len(got), len(want))
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Fatalf("%s: a connection is missing", step)
			}
		}
		if n := x.len(); (len(want) == 0) != (n == 0) || n > 1 {
			t.Fatalf("%s: %d ids indexed", step, n)
		}
	}
	x.add(k, a)
	x.add(k, a) // again: still once
	same("a, added twice", a)
	if x.one.len() != 1 || x.many.len() != 0 {
		t.Fatal("one connection is not kept as the single entry")
	}
	x.add(k, b)
	x.add(k, c)
	x.add(k, b) // again: still once
	same("a, b, c, b added twice", a, b, c)
	if x.one.len() != 0 || x.many.len() != 1 {
		t.Fatal("three connections are not kept as a list")
	}
	x.remove(k, a)
	same("b, c", b, c)
	x.remove(k, c)
	same("b", b)
	if x.one.len() != 1 || x.many.len() != 0 {
		t.Fatal("the last connection left is not back in the single entry")
	}
	x.remove(k, a) // not indexed: nothing happens
	same("b again", b)
	x.remove(k, b)
	same("none")
}
