package server

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/sportello/sportello"
)

// BenchmarkHub_Publish2000 publishes changes to 2,000 connected
// visible-only feeds in DESIGN.md's mix (1,700 operators with the cases
// and citizens of their day, 250 specialists at 25 desks, 50 supervisors
// with their own working set): "index" is the hub's publish; "scan" asks
// every connection's viewer, as publish did before the index.
func BenchmarkHub_Publish2000(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	h := newHub()
	var conns []*wsConn
	role := func(i int) sportello.Role {
		switch {
		case i < 1700:
			return sportello.RoleOperator
		case i < 1950:
			return sportello.RoleSpecialist
		}
		return sportello.RoleSupervisor
	}
	for i := range 2000 {
		u := &sportello.User{ID: fmt.Sprintf("u%d", i), Role: role(i)}
		var desks, cases, citizens []string
		if u.Role == sportello.RoleSpecialist {
			desks = []string{fmt.Sprintf("d%d", i%25)}
		}
		for range 20 {
			cases = append(cases, fmt.Sprintf("k%d", r.IntN(200_000)))
		}
		for range 5 {
			citizens = append(citizens, fmt.Sprintf("z%d", r.IntN(1_000_000)))
		}
		c := &wsConn{visible: true, viewer: newViewer(u, false, desks, cases, citizens), send: make(chan *queued, 1<<12), quit: make(chan struct{})}
		h.add(c)
		conns = append(conns, c)
	}
	changes := make([]sportello.Change, 4096)
	for i := range changes {
		ch := sportello.Change{Seq: int64(i + 1), CaseID: fmt.Sprintf("k%d", r.IntN(200_000)), CitizenID: fmt.Sprintf("z%d", r.IntN(1_000_000)),
			Event: &sportello.CaseEvent{AuthorID: fmt.Sprintf("u%d", r.IntN(1700))}}
		if i%10 == 0 {
			ch.DeskID = fmt.Sprintf("d%d", r.IntN(25))
		}
		changes[i] = ch
	}
	drain := func() {
		for _, c := range conns {
			for len(c.send) > 0 {
				<-c.send
			}
		}
	}
	b.Run("index", func(b *testing.B) {
		offered := 0
		for i := 0; b.Loop(); i++ {
			h.publish(changes[i%len(changes)])
			if i%1024 == 1023 {
				b.StopTimer()
				for _, c := range conns {
					offered += len(c.send)
				}
				drain()
				b.StartTimer()
			}
		}
		b.ReportMetric(float64(offered)/float64(b.N), "offers/op")
	})
	b.Run("scan", func(b *testing.B) {
		offered := 0
		for i := 0; b.Loop(); i++ {
			ch := changes[i%len(changes)]
			for _, c := range conns {
				if c.viewer.visible(ch) {
					offered++
				}
			}
		}
		b.ReportMetric(float64(offered)/float64(b.N), "offers/op")
	})
}

// BenchmarkHub_IndexMemory reports the heap the hub's index takes for
// 2,000 visible-only feeds of 125 cases each (a month's cases per user at
// a million citizens; issue 4), per indexed case.
func BenchmarkHub_IndexMemory(b *testing.B) {
	const conns, perConn = 2000, 125
	var cases []string
	for i := range conns * perConn {
		cases = append(cases, fmt.Sprintf("01a21774-%04x-7446-b2d1-%012x", i%65536, i))
	}
	for b.Loop() {
		h := newHub()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range conns {
			u := &sportello.User{ID: fmt.Sprintf("u%d", i), Role: sportello.RoleOperator}
			c := &wsConn{visible: true, viewer: newViewer(u, false, nil, cases[i*perConn:(i+1)*perConn], nil), quit: make(chan struct{})}
			h.add(c)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(conns*perConn), "B/case")
		runtime.KeepAlive(h)
	}
}
