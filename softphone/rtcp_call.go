package softphone

import (
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/pion/rtcp"

	"github.com/sportello/sportello"
)

// qualityEvery is how often a call's quality is refreshed on its snapshot
// (and published when it changed): the pace of the RTCP reports.
const qualityEvery = 5 * time.Second

// watchQuality reads the other side's RTCP reports of the call's media
// into q and refreshes the call snapshot's Quality every qualityEvery,
// publishing it when it changed. stop records the last numbers without
// publishing: the call's ended snapshot carries them.
func (p *Phone) watchQuality(c *call, med *diago.DialogMedia, q *quality) (stop func()) {
	var hooked *media.RTPSession
	hook := func() {
		s := med.RTPSession()
		if s == nil || s == hooked {
			return // a hold re-INVITE may replace the session: hook the new one
		}
		hooked = s
		s.OnReadRTCP(func(pkt rtcp.Packet, _ media.RTPReadStats) {
			var ours uint32
			if w := med.RTPPacketWriter; w != nil {
				ours = w.SSRC
			}
			q.report(pkt, ours, time.Now())
		})
	}
	hook()
	refresh := func(publish bool) {
		qs := q.snapshot()
		if qs == nil {
			return
		}
		c.mu.Lock()
		changed := c.snap.Quality == nil || *c.snap.Quality != *qs
		c.snap.Quality = qs
		c.mu.Unlock()
		if changed && publish {
			p.publish(c.snapshot())
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(qualityEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				hook()
				refresh(true)
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			refresh(false)
		})
	}
}

// Quality returns the audio quality of the call callID measured so far.
func (p *Phone) Quality(callID string) (sportello.CallQuality, error) {
	p.mu.Lock()
	c, ok := p.active[callID]
	p.mu.Unlock()
	if !ok {
		return sportello.CallQuality{}, sportello.ErrNoSuchCall
	}
	c.mu.Lock()
	q := c.quality
	c.mu.Unlock()
	if q == nil {
		return sportello.CallQuality{}, sportello.ErrCallNotReady
	}
	if qs := q.snapshot(); qs != nil {
		return *qs, nil
	}
	return sportello.CallQuality{}, sportello.ErrCallNotReady
}
