package groupcommit

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestCommitter_Groups: callers arriving while a batch commits share the
// next batch, each gets its own results in order, and no batch is larger
// than the bound (a caller's items are never split).
func TestCommitter_Groups(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	c := New(10, func(ctx context.Context, items []int) []int {
		mu.Lock()
		sizes = append(sizes, len(items))
		mu.Unlock()
		time.Sleep(5 * time.Millisecond) // a commit
		out := make([]int, len(items))
		for i, v := range items {
			out[i] = v * 2
		}
		return out
	})
	const callers = 40
	var wg sync.WaitGroup
	for k := range callers {
		wg.Go(func() {
			items := []int{k * 100, k*100 + 1, k*100 + 2}
			res, err := c.Do(t.Context(), items)
			if err != nil {
				t.Error(err)
				return
			}
			for i := range items {
				if res[i] != items[i]*2 {
					t.Errorf("caller %d: results %v for %v", k, res, items)
					return
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for _, n := range sizes {
		if n > 10 || n%3 != 0 {
			t.Fatalf("batch of %d items (bound 10, callers of 3)", n)
		}
		total += n
	}
	if total != callers*3 {
		t.Fatalf("%d items committed, want %d", total, callers*3)
	}
	if len(sizes) >= callers {
		t.Fatalf("%d batches for %d concurrent callers: nothing was grouped", len(sizes), callers)
	}
	// The goroutine a leader handed on goes idle once the queue is empty.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		c.mu.Lock()
		running, queued := c.running, len(c.queue)
		c.mu.Unlock()
		if !running && queued == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("committer left running with %d queued", queued)
		}
	}
}

// TestCommitter_Alone: a caller alone commits at once, without waiting.
func TestCommitter_Alone(t *testing.T) {
	calls := 0
	c := New(0, func(ctx context.Context, items []string) []string { calls++; return items })
	for range 3 {
		res, err := c.Do(t.Context(), []string{"a"})
		if err != nil || len(res) != 1 || res[0] != "a" {
			t.Fatalf("%v, %v", res, err)
		}
	}
	if calls != 3 {
		t.Fatalf("%d commits, want 3", calls)
	}
}

// TestCommitter_GoneCaller: a caller whose context ends before its batch
// is taken gets its error, and its items are not committed.
func TestCommitter_GoneCaller(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var got []int
	c := New(0, func(ctx context.Context, items []int) []int {
		mu.Lock()
		got = append(got, items...)
		mu.Unlock()
		if items[0] == 1 {
			<-release
		}
		return items
	})
	first := make(chan error, 1)
	go func() { _, err := c.Do(t.Context(), []int{1}); first <- err }()
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(t.Context())
	gone := make(chan error, 1)
	go func() { _, err := c.Do(ctx, []int{2}); gone <- err }()
	time.Sleep(10 * time.Millisecond) // queued behind the first batch
	cancel()
	if err := <-gone; err != context.Canceled {
		t.Fatalf("gone caller: %v", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if res, err := c.Do(t.Context(), []int{3}); err != nil || res[0] != 3 {
		t.Fatalf("%v, %v", res, err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, v := range got {
		if v == 2 {
			t.Fatalf("committed %v: the gone caller's item was committed", got)
		}
	}
}

// TestCommitter_DoFirst: items queued with DoFirst while a batch commits
// form the next batch alone, ahead of those queued before them with Do,
// which then keep their order; with none waiting, batches are as before.
func TestCommitter_DoFirst(t *testing.T) {
	var mu sync.Mutex
	var batches [][]int
	started, release := make(chan struct{}), make(chan struct{})
	c := New(10, func(ctx context.Context, items []int) []int {
		mu.Lock()
		batches = append(batches, items)
		mu.Unlock()
		if items[0] == 0 {
			close(started)
			<-release // the batch committing while the others queue
		}
		return items
	})
	var wg sync.WaitGroup
	wg.Go(func() { c.Do(t.Context(), []int{0}) })
	<-started
	queue := func(first bool, items ...int) {
		n := c.Queued()
		wg.Go(func() {
			var err error
			if first {
				_, err = c.DoFirst(t.Context(), items)
			} else {
				_, err = c.Do(t.Context(), items)
			}
			if err != nil {
				t.Error(err)
			}
		})
		for c.Queued() == n { // in the queue before the next one
			time.Sleep(time.Millisecond)
		}
	}
	queue(false, 1, 2)
	queue(true, 3)
	queue(false, 4)
	queue(true, 5)
	close(release)
	wg.Wait()
	want := [][]int{{0}, {3, 5}, {1, 2, 4}}
	if len(batches) != len(want) {
		t.Fatalf("batches %v, want %v", batches, want)
	}
	for i := range want {
		if !slices.Equal(batches[i], want[i]) {
			t.Fatalf("batches %v, want %v", batches, want)
		}
	}
}

// TestCommitter_Pipelined checks that a batch waiting for the disk
// (settle) does not hold up the next batch, and that its callers hear of
// their items only once settle returns, with what settle returns.
func TestCommitter_Pipelined(t *testing.T) {
	var mu sync.Mutex
	var ran [][]int
	release := make(chan struct{})
	c := NewPipelined(10, func(ctx context.Context, items []int) ([]int, func() []int) {
		mu.Lock()
		ran = append(ran, items)
		mu.Unlock()
		if items[0] != 0 {
			return items, nil
		}
		return items, func() []int {
			<-release // the disk syncs batch {0}
			return []int{-1}
		}
	})
	first := make(chan []int, 1)
	go func() {
		res, err := c.Do(t.Context(), []int{0})
		if err != nil {
			t.Error(err)
		}
		first <- res
	}()
	for {
		mu.Lock()
		n := len(ran)
		mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	// Batch {0} is settling: the next one commits and is handed out meanwhile.
	res, err := c.Do(t.Context(), []int{7})
	if err != nil || !slices.Equal(res, []int{7}) {
		t.Fatalf("second batch: %v, %v", res, err)
	}
	select {
	case res := <-first:
		t.Fatalf("first batch handed out (%v) before it settled", res)
	default:
	}
	close(release)
	if res := <-first; !slices.Equal(res, []int{-1}) {
		t.Fatalf("first batch: %v, want what settle returned, [-1]", res)
	}
}
