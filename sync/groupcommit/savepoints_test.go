package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// fakeTx records what a transaction ran, for Savepoints' order of
// statements; the stores' tests run it on SQLite and PostgreSQL.
type fakeTx struct{ ran []string }

// fakeStore is a store whose commits fail while failCommits > 0.
type fakeStore struct {
	txs         []*fakeTx
	failCommits int
}

// savepoints returns Savepoints on s.
func (s *fakeStore) savepoints() Savepoints[*fakeTx, int, string] {
	return Savepoints[*fakeTx, int, string]{
		Update: func(ctx context.Context, fn func(tx *fakeTx) error) error {
			tx := &fakeTx{}
			s.txs = append(s.txs, tx)
			if err := fn(tx); err != nil {
				tx.ran = append(tx.ran, "ROLLBACK")
				return err
			}
			if s.failCommits > 0 {
				s.failCommits--
				tx.ran = append(tx.ran, "COMMIT failed")
				return errors.New("commit failed")
			}
			tx.ran = append(tx.ran, "COMMIT")
			return nil
		},
		Exec: func(ctx context.Context, tx *fakeTx, query string) error {
			tx.ran = append(tx.ran, query)
			return nil
		},
		Write: func(ctx context.Context, tx *fakeTx, it int) (string, error) {
			if it < 0 {
				tx.ran = append(tx.ran, "refuse")
				return "", fmt.Errorf("refused %d", it)
			}
			tx.ran = append(tx.ran, fmt.Sprint("write ", it))
			return fmt.Sprint("ok ", it), nil
		},
		Failed: func(it int, err error) string { return fmt.Sprintf("failed %d: %v", it, err) },
	}
}

// TestSavepoints_Commit: a batch is one transaction, each item in a
// savepoint, a refused item rolled back to its savepoint alone; an item
// alone has no savepoint; a transaction that fails is retried item by
// item.
func TestSavepoints_Commit(t *testing.T) {
	t.Run("Group", func(t *testing.T) {
		s := &fakeStore{}
		got := s.savepoints().Commit(t.Context(), []int{1, -2, 3})
		want := []string{"ok 1", "failed -2: refused -2", "ok 3"}
		if !slices.Equal(got, want) {
			t.Fatalf("results %q, want %q", got, want)
		}
		ran := []string{
			"SAVEPOINT wrap_up", "write 1", "RELEASE wrap_up",
			"SAVEPOINT wrap_up", "refuse", "ROLLBACK TO wrap_up", "RELEASE wrap_up",
			"SAVEPOINT wrap_up", "write 3", "RELEASE wrap_up", "COMMIT",
		}
		if len(s.txs) != 1 || !slices.Equal(s.txs[0].ran, ran) {
			t.Fatalf("%d transactions, the first ran %q; want 1 running %q", len(s.txs), s.txs[0].ran, ran)
		}
	})
	t.Run("Alone", func(t *testing.T) {
		s := &fakeStore{}
		if got := s.savepoints().Commit(t.Context(), []int{-1}); got[0] != "failed -1: refused -1" {
			t.Fatalf("result %q", got[0])
		}
		if len(s.txs) != 1 || !slices.Equal(s.txs[0].ran, []string{"refuse", "ROLLBACK"}) {
			t.Fatalf("ran %q", s.txs[0].ran)
		}
	})
	t.Run("CommitFails", func(t *testing.T) {
		s := &fakeStore{failCommits: 2} // the group's, then the first item's alone
		got := s.savepoints().Commit(t.Context(), []int{1, 2})
		want := []string{"failed 1: commit failed", "ok 2"}
		if !slices.Equal(got, want) {
			t.Fatalf("results %q, want %q", got, want)
		}
		if len(s.txs) != 3 || !slices.Equal(s.txs[2].ran, []string{"write 2", "COMMIT"}) {
			t.Fatalf("%d transactions; want the group's and one per item", len(s.txs))
		}
	})
}
