package softphone

import (
	"slices"
	"sync"
	"time"
)

// This file is the phone's own adaptive jitter buffer, used on the receive
// path instead of diago's (which drops packets more than 10 ahead and takes
// a talker's first packet after silence as late). It knows RTP sequence
// numbers, timestamps and 8 kHz linear frames, nothing of SIP. Time is
// passed in, so tests replay recorded packet timings without sleeping.
//
// The playout point is kept as an offset O between the clock of the
// receiver and the sender's RTP clock: the packet stamped ts plays at
// ts/8000 + O. A packet that arrives with transit (arrival - ts/8000)
// above O is late. O tracks a high percentile of the recent transits plus
// a small margin: it grows at once when transits rise (a concealed frame
// is played without moving on) and comes back down slowly (one frame
// dropped at most every jitterShrinkEvery) when the network calms down.

const (
	// jitterSlots bounds the packets held (2.5 s of 20 ms packets); a
	// packet further ahead than this is treated as a new stream.
	jitterSlots = 128
	// jitterWindow is the number of recent transits the delay is set from.
	jitterWindow = 250
	// jitterQuantile is the share of recent transits the playout point
	// covers: what is above it arrives late.
	jitterQuantile = 0.995
	// jitterMargin is added on top of that quantile.
	jitterMargin = 2 * time.Millisecond
	// jitterShrinkEvery is the fastest the delay comes down, one frame at
	// a time: each dropped frame is a click in a steady tone or voice.
	jitterShrinkEvery = time.Second
	// jitterSettle is the packets after which the window forgets the
	// stream's start: the first packets of a call often wait in the socket
	// while the call's media starts and are read in one burst, which is
	// not the network's jitter.
	jitterSettle = 25
	// jitterIdleFrames is how many empty frames in a row end a talk spurt
	// (DTX, hold): the next packet starts a new one at the current delay.
	jitterIdleFrames = 5
	// jitterResync is a jump of the timestamp or of the transit that is
	// not jitter but a new clock (sender restart, long DTX): the buffer
	// starts over.
	jitterResync = 2 * time.Second
)

// playout says what Pop put in the frame.
type playout int

const (
	playVoice     playout = iota // a received packet
	playConcealed                // the last frame repeated, attenuated
	playSilence                  // comfort silence: nothing to play
)

// concealGains attenuates the last frame over successive lost frames;
// after them comes silence.
var concealGains = []float64{0.9, 0.6, 0.3}

// jitterPacket is one buffered packet; a slot's audio buffer is reused.
type jitterPacket struct {
	used    bool
	seq     uint64 // extended sequence number
	ts      int64  // extended timestamp, samples
	arrival time.Time
	pcm     []int16
}

// jitterStats counts what the buffer did, for quality reports and tests.
type jitterStats struct {
	Received  uint64        // packets pushed, duplicates and late included
	Played    uint64        // packets played
	Late      uint64        // packets that arrived after their turn
	Duplicate uint64        // packets received twice
	Concealed uint64        // frames concealed or played as silence in a spurt
	Dropped   uint64        // packets dropped to bring the delay down
	Resyncs   uint64        // restarts on SSRC change or clock jump
	Delay     time.Duration // current target delay above the fastest transit
	// HoldTimes are the times played packets spent in the buffer (arrival
	// to playout), kept only when the buffer was made with recordHolds.
	HoldTimes []time.Duration
}

// jitterBuffer reorders, delays and conceals one RTP voice stream. Push and
// Pop may be called from different goroutines.
type jitterBuffer struct {
	mu sync.Mutex

	startDelay, minDelay, maxDelay time.Duration
	recordHolds                    bool

	// Sender's stream.
	started  bool
	ssrc     uint32
	highSeq  uint64 // highest extended sequence number seen
	highTS   int64  // extended timestamp of the packet at highSeq
	epoch    time.Time
	slots    [jitterSlots]jitterPacket
	buffered int

	// Transit window, as durations since epoch minus media time.
	seen     int // packets since the stream started
	transits []time.Duration
	tpos     int
	sorted   []time.Duration

	// Playout.
	playing    bool
	next       uint64 // extended sequence number to play next
	played     uint64 // extended sequence number played last
	nextTS     int64  // its expected timestamp
	offset     time.Duration
	idle       int // empty frames in a row
	concealed  int // concealed frames in a row
	last       []int16
	aboveSince time.Time    // when the delay first stood above target, zero if not
	lastEvent  jitterPacket // the last packet without audio played
	lastShrink time.Time

	stats jitterStats
}

// newJitterBuffer returns a buffer that starts with startDelay of delay
// and adapts between minDelay and maxDelay.
func newJitterBuffer(startDelay, minDelay, maxDelay time.Duration) *jitterBuffer {
	return &jitterBuffer{
		startDelay: startDelay, minDelay: minDelay, maxDelay: maxDelay,
		transits: make([]time.Duration, 0, jitterWindow),
		sorted:   make([]time.Duration, 0, jitterWindow),
	}
}

// mediaTime is the time of the extended timestamp ts (8 kHz).
func mediaTime(ts int64) time.Duration { return time.Duration(ts) * time.Second / 8000 }

// Push takes one packet received at arrival; pcm is its decoded audio and
// is copied. A packet without audio (pcm empty: a telephone event, comfort
// noise) takes its turn in the sequence and plays as silence.
func (j *jitterBuffer) Push(ssrc uint32, seq uint16, ts uint32, pcm []int16, arrival time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.stats.Received++
	if !j.started || ssrc != j.ssrc {
		j.restart(ssrc, seq, ts, arrival)
	}
	// Extend the sequence number and timestamp around the highest seen.
	eseq := uint64(int64(j.highSeq) + int64(int16(seq-uint16(j.highSeq))))
	ets := j.highTS + int64(int32(ts-uint32(j.highTS)))
	if d := int64(eseq) - int64(j.highSeq); d >= jitterSlots || d <= -jitterSlots {
		j.restart(ssrc, seq, ts, arrival) // a jump no jitter explains
		eseq, ets = j.highSeq, j.highTS
	}
	transit := arrival.Sub(j.epoch) - mediaTime(ets)
	if len(j.sorted) > 0 {
		if d := transit - j.sorted[len(j.sorted)/2]; d > jitterResync || d < -jitterResync {
			j.restart(ssrc, seq, ts, arrival) // the sender's clock jumped
			eseq, ets = j.highSeq, j.highTS
			transit = 0
		}
	}
	if j.seen++; j.seen == jitterSettle {
		j.transits, j.tpos, j.sorted = j.transits[:0], 0, j.sorted[:0]
	}
	if len(pcm) > 0 || len(j.sorted) == 0 { // an event repeats its timestamp
		j.addTransit(transit)
	}
	if eseq > j.highSeq {
		j.highSeq, j.highTS = eseq, ets
	}
	if eseq < j.next {
		j.stats.Late++
		return
	}
	slot := &j.slots[eseq%jitterSlots]
	if slot.used {
		if slot.seq == eseq {
			j.stats.Duplicate++
			return
		}
		j.buffered-- // an old packet never played: replaced
	}
	slot.used, slot.seq, slot.ts, slot.arrival = true, eseq, ets, arrival
	slot.pcm = append(slot.pcm[:0], pcm...)
	j.buffered++
}

// restart forgets the stream and starts a new one at this packet.
func (j *jitterBuffer) restart(ssrc uint32, seq uint16, ts uint32, arrival time.Time) {
	if j.started {
		j.stats.Resyncs++
	}
	j.started, j.ssrc, j.epoch = true, ssrc, arrival
	// Extended numbers start high so older packets stay positive.
	j.highSeq = 1<<32 + uint64(seq)
	j.highTS = 1<<40 + int64(ts)
	j.epoch = arrival.Add(-mediaTime(j.highTS))
	for i := range j.slots {
		j.slots[i].used = false
	}
	j.buffered = 0
	j.transits, j.tpos, j.sorted = j.transits[:0], 0, j.sorted[:0]
	j.seen = 0
	j.playing, j.idle = false, 0
	j.next, j.played = 0, 0
}

// addTransit adds t to the window, evicting the oldest, and keeps sorted
// in order by moving one value out and one in.
func (j *jitterBuffer) addTransit(t time.Duration) {
	if len(j.transits) < jitterWindow {
		j.transits = append(j.transits, t)
	} else {
		old := j.transits[j.tpos]
		j.transits[j.tpos] = t
		j.tpos = (j.tpos + 1) % jitterWindow
		if i, ok := slices.BinarySearch(j.sorted, old); ok {
			j.sorted = slices.Delete(j.sorted, i, i+1)
		}
	}
	i, _ := slices.BinarySearch(j.sorted, t)
	j.sorted = slices.Insert(j.sorted, i, t)
}

// target returns the playout offset wanted now and the fastest transit.
func (j *jitterBuffer) target() (offset, floor time.Duration) {
	floor = j.sorted[0]
	want := j.startDelay
	if len(j.sorted) >= 20 { // enough to trust the spread
		q := j.sorted[min(len(j.sorted)-1, int(float64(len(j.sorted))*jitterQuantile))]
		want = q - floor + jitterMargin
	}
	want = min(max(want, j.minDelay), j.maxDelay)
	return floor + want, floor
}

// Pop fills frame (audio.FrameSamples long) with what plays at now and
// says what it was; the caller calls it every 20 ms.
func (j *jitterBuffer) Pop(now time.Time, frame []int16) playout {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.started || len(j.sorted) == 0 {
		return j.silence(frame)
	}
	want, floor := j.target()
	j.stats.Delay = want - floor
	clock := now.Sub(j.epoch) // receiver time on the transit scale
	if !j.playing {
		head := j.head()
		if head == nil {
			return j.silence(frame)
		}
		if clock-mediaTime(head.ts) < want-packetTime/2 {
			return j.silence(frame) // not due yet
		}
		j.playing, j.next, j.nextTS, j.idle = true, head.seq, head.ts, 0
		j.aboveSince = time.Time{}
	}
	p := &j.slots[j.next%jitterSlots]
	if !p.used || p.seq != j.next {
		p = nil
	}
	if p == nil {
		// Nothing for this turn: lost, late, or the talker paused.
		if clock-mediaTime(j.nextTS) >= want-packetTime/2 {
			j.next++ // its time has passed: lost or late
			j.nextTS += int64(len(frame))
		} // else the delay grows by this frame
		if j.buffered == 0 {
			// Nothing newer either: after a while take it as a pause
			// (DTX, hold), whose next packet has the next sequence number
			// and starts a new talk spurt.
			j.idle++
			if j.idle >= jitterIdleFrames {
				j.playing, j.next = false, j.played+1
			}
		}
		return j.conceal(frame)
	}
	j.idle = 0
	for len(p.pcm) == 0 {
		// An event or comfort noise has this turn: a frame of silence.
		// Its timestamp is the event's start, so the voice timeline moves
		// on by the frame. An event's last packet is sent three times at
		// once: the repeats take no time.
		prev := *p
		j.take(p)
		j.nextTS = prev.ts + int64(len(frame))
		if j.lastEvent.used && j.lastEvent.ts == prev.ts && prev.arrival.Sub(j.lastEvent.arrival).Abs() < 5*time.Millisecond {
			j.lastEvent = prev
			if q := &j.slots[j.next%jitterSlots]; q.used && q.seq == j.next {
				p = q
				continue
			}
		}
		j.lastEvent = prev
		j.stats.Played++
		return j.silence(frame)
	}
	offset := clock - mediaTime(p.ts)
	if offset < want-packetTime/2 {
		return j.conceal(frame) // too early: let the delay grow
	}
	// Bring the delay down slowly when it stays a frame above target.
	if offset > want+packetTime {
		if j.aboveSince.IsZero() {
			j.aboveSince = now
		}
		if now.Sub(j.aboveSince) >= jitterShrinkEvery/2 && now.Sub(j.lastShrink) >= jitterShrinkEvery {
			if q := &j.slots[(j.next+1)%jitterSlots]; q.used && q.seq == j.next+1 {
				j.take(p)
				j.stats.Dropped++
				j.lastShrink, j.aboveSince = now, time.Time{}
				p = q
			}
		}
	} else {
		j.aboveSince = time.Time{}
	}
	j.take(p)
	n := copy(frame, p.pcm)
	clear(frame[n:])
	j.last = append(j.last[:0], frame...)
	j.concealed = 0
	j.stats.Played++
	if j.recordHolds {
		j.stats.HoldTimes = append(j.stats.HoldTimes, now.Sub(p.arrival))
	}
	return playVoice
}

// take removes p from the buffer and moves the playout past it.
func (j *jitterBuffer) take(p *jitterPacket) {
	p.used = false
	j.buffered--
	j.next, j.nextTS, j.played = p.seq+1, p.ts+int64(len(p.pcm)), p.seq
}

// head returns the oldest buffered packet.
func (j *jitterBuffer) head() *jitterPacket {
	var h *jitterPacket
	for i := range j.slots {
		if p := &j.slots[i]; p.used && (h == nil || p.seq < h.seq) {
			h = p
		}
	}
	return h
}

// conceal fills frame with the last frame attenuated, then with silence.
func (j *jitterBuffer) conceal(frame []int16) playout {
	j.stats.Concealed++
	if j.concealed >= len(concealGains) || len(j.last) == 0 {
		j.concealed++
		clear(frame)
		return playSilence
	}
	g := concealGains[j.concealed]
	j.concealed++
	for i := range frame {
		if i < len(j.last) {
			frame[i] = int16(float64(j.last[i]) * g)
		} else {
			frame[i] = 0
		}
	}
	return playConcealed
}

func (j *jitterBuffer) silence(frame []int16) playout {
	clear(frame)
	return playSilence
}

// Stats returns a copy of the counters.
func (j *jitterBuffer) Stats() jitterStats {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.stats
	s.HoldTimes = slices.Clone(s.HoldTimes)
	return s
}
