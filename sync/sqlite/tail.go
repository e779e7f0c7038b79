package sqlite

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/sportello/sportello"
)

// The change log's tail in memory. syncd publishes every commit by reading
// the changes after its publish cursor (server.publishNew), and at 1,000
// ops/s asked that read was 4% of syncd's CPU and 16% of what it allocated
// (issue 4): a join of each change with its event, the newest rows, which
// the writer had in hand a moment before. So the writer notes each change
// it appends (appendChange and its kin) with the seq the database gave it,
// and once the transaction commits the notes join the tail: the newest
// changes, in seq order, with no gap and none missing up to the head.
// ChangesSince answers from the tail when it holds the whole range asked,
// and from the database otherwise.
//
// The tail is kept only when the store syncs the log itself (SyncFull,
// syncd's default, walsync.go): its commits read the head, by which a
// change the tail did not note (written by another process, or by a path
// that does not note) is seen, and the tail starts over after it.
type changeTail struct {
	mu      sync.Mutex
	pending []sportello.Change // noted in the writer's transaction under way
	changes []sportello.Change // committed, contiguous, the last one at head
	head    int64              // the change log's head at the last commit
}

// Bounds of the tail. It keeps maxTailChanges at least (a few MB) and
// serves no change older than maxTailAge: a purge rewrites only changes
// of cases left alone longer than a day (syncd purge refuses a shorter
// retention), so none the tail serves, even when another process purged.
const (
	maxTailChanges = 4096
	maxTailAge     = time.Hour
)

// begin starts the notes of a writer's transaction.
func (t *changeTail) begin() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = t.pending[:0]
}

// note notes a change appended in the writer's transaction.
func (t *changeTail) note(ch sportello.Change) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(t.pending, ch)
}

// take returns the transaction's notes, before its commit.
func (t *changeTail) take() []sportello.Change {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.pending
	t.pending = nil
	return p
}

// committed adds a committed transaction's notes, which left the change
// log at head. An item of a group commit refused after it appended its
// changes was rolled back to its savepoint, and the next item's changes
// took its seqs: so for each seq the last note stands, and a note past
// head was rolled back.
func (t *changeTail) committed(notes []sportello.Change, head int64) {
	notes = lastNotes(notes, head)
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case len(notes) == 0 && head == t.head:
		return // nothing appended
	case len(notes) == 0 || notes[len(notes)-1].Seq != head || !contiguous(notes):
		t.changes = nil // a change not noted: start over after head
	case t.head != notes[0].Seq-1:
		t.changes = notes // lastNotes' own slice
	default:
		if len(t.changes) >= 2*maxTailChanges {
			t.changes = append([]sportello.Change(nil), t.changes[len(t.changes)-maxTailChanges:]...)
		}
		t.changes = append(t.changes, notes...)
	}
	t.head = head
}

// lastNotes returns, in seq order, the last note of each seq up to head.
func lastNotes(notes []sportello.Change, head int64) []sportello.Change {
	last := map[int64]int{}
	for i, ch := range notes {
		last[ch.Seq] = i
	}
	out := make([]sportello.Change, 0, len(last))
	for i, ch := range notes {
		if last[ch.Seq] == i && ch.Seq <= head {
			out = append(out, ch)
		}
	}
	// Notes come in seq order but for the seqs taken again after a
	// rollback, which are kept at their last place.
	slices.SortFunc(out, func(a, b sportello.Change) int { return cmp.Compare(a.Seq, b.Seq) })
	return out
}

// contiguous reports whether changes' seqs follow one another.
func contiguous(changes []sportello.Change) bool {
	for i := 1; i < len(changes); i++ {
		if changes[i].Seq != changes[i-1].Seq+1 {
			return false
		}
	}
	return true
}

// since returns up to limit changes after cursor and up to upTo, and true,
// when the tail holds them all and the first is younger than maxTailAge
// at now; false sends the caller to the database. The changes share
// their events with the tail: callers must not modify them.
func (t *changeTail) since(cursor, upTo int64, limit int, now time.Time) ([]sportello.Change, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.changes) == 0 || upTo > t.head || cursor+1 < t.changes[0].Seq || cursor > t.head {
		return nil, false
	}
	if cursor >= upTo {
		return []sportello.Change{}, true
	}
	from := int(cursor + 1 - t.changes[0].Seq)
	if t.changes[from].At.Before(now.Add(-maxTailAge)) {
		return nil, false
	}
	to := min(from+limit, int(upTo-t.changes[0].Seq)+1)
	return append([]sportello.Change(nil), t.changes[from:to]...), true
}
