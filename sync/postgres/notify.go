package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// listenRetry is the wait before a lost LISTEN connection is made again.
const listenRetry = 500 * time.Millisecond

// Changes follows the commits of every node on this database: it LISTENs
// on ChannelChanges on a connection of its own and sends the newest seq
// announced, until ctx ends (then it closes the channel). Sends never wait:
// a reader that falls behind gets the newest seq only, which is all it
// needs, since it reads the changes themselves with ChangesSince. After a
// lost connection is made again it sends the head, as notifications sent
// meanwhile are gone. It implements sync/server's Notifier.
func (db *DB) Changes(ctx context.Context) <-chan int64 {
	out := make(chan int64, 1)
	send := func(seq int64) {
		for {
			select {
			case out <- seq:
				return
			default:
			}
			select { // full: replace the older seq
			case <-out:
			default:
			}
		}
	}
	go func() {
		defer close(out)
		for ctx.Err() == nil {
			db.listen(ctx, send)
			select {
			case <-ctx.Done():
			case <-time.After(listenRetry):
			}
		}
	}()
	return out
}

// listen holds one LISTEN connection until it fails or ctx ends.
func (db *DB) listen(ctx context.Context, send func(int64)) {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return
	}
	// The connection leaves the pool: LISTEN state must not leak into
	// other queries, and it is closed when done.
	pc := conn.Hijack()
	defer pc.Close(context.WithoutCancel(ctx))
	for _, ch := range []string{ChannelChanges, ChannelBoard} { // ChannelBoard: presence.go
		if _, err := pc.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return
		}
	}
	// Commits between the last notification seen and LISTEN are caught
	// up by the reader from the head; the board reads presence again.
	if head, err := db.Head(ctx); err == nil {
		send(head)
	}
	db.boardNotify("")
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return
		}
		if n.Channel == ChannelBoard { // presence.go
			db.boardNotify(n.Payload)
			continue
		}
		if seq, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
			send(seq)
		}
	}
}
