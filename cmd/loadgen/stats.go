package main

import (
	"math"
	"sync/atomic"
	"time"
)

// histogram counts durations in log-linear buckets (about 1.6% wide, from
// 10 µs to about 3 minutes), safe for concurrent use without a lock, so
// that thousands of desktops can record into one.
type histogram struct {
	buckets [histBuckets]atomic.Uint64
	count   atomic.Uint64
	sum     atomic.Int64 // nanoseconds
	maxNS   atomic.Int64
}

const (
	histMin     = 10 * time.Microsecond
	histPerOct  = 64 // buckets per doubling
	histOctaves = 24
	histBuckets = histPerOct*histOctaves + 1
)

func bucketOf(d time.Duration) int {
	if d <= histMin {
		return 0
	}
	i := int(math.Log2(float64(d)/float64(histMin))*histPerOct) + 1
	return min(i, histBuckets-1)
}

// upper is the largest duration bucket i holds.
func upper(i int) time.Duration {
	return time.Duration(float64(histMin) * math.Exp2(float64(i)/histPerOct))
}

func (h *histogram) observe(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.buckets[bucketOf(d)].Add(1)
	h.count.Add(1)
	h.sum.Add(int64(d))
	for {
		m := h.maxNS.Load()
		if int64(d) <= m || h.maxNS.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// quantile returns the duration below which a fraction q of observations
// fall (a bucket's upper bound), 0 when there are none.
func (h *histogram) quantile(q float64) time.Duration {
	n := h.count.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	var seen uint64
	for i := range h.buckets {
		seen += h.buckets[i].Load()
		if seen >= rank {
			return min(upper(i), time.Duration(h.maxNS.Load()))
		}
	}
	return time.Duration(h.maxNS.Load())
}

// Latency is a summary of a histogram, in milliseconds.
type Latency struct {
	Count uint64  `json:"count"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func (h *histogram) summary() Latency {
	n := h.count.Load()
	l := Latency{Count: n, P50: ms(h.quantile(.5)), P95: ms(h.quantile(.95)), P99: ms(h.quantile(.99)), Max: ms(time.Duration(h.maxNS.Load()))}
	if n > 0 {
		l.Mean = ms(time.Duration(h.sum.Load() / int64(n)))
	}
	return l
}
