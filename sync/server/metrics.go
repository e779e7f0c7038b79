package server

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// metrics are syncd's Prometheus series, written by hand in the text
// exposition format (version 0.0.4): a few counters, gauges and one
// histogram do not need a client library.
type metrics struct {
	pushLatency *histogram // publish (right after commit) -> frame written

	mu       sync.Mutex
	counters map[string]*atomic.Int64 // full series name with labels -> value
}

func newMetrics() *metrics {
	return &metrics{
		pushLatency: newHistogram([]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}),
		counters:    make(map[string]*atomic.Int64),
	}
}

// inc adds one to a counter series such as `syncd_ops_total{kind="wrap_up",result="created"}`.
func (m *metrics) inc(series string) { m.add(series, 1) }

func (m *metrics) add(series string, n int64) {
	m.mu.Lock()
	c := m.counters[series]
	if c == nil {
		c = new(atomic.Int64)
		m.counters[series] = c
	}
	m.mu.Unlock()
	c.Add(n)
}

// help describes each metric family once.
var help = map[string]struct{ typ, text string }{
	"syncd_ops_total":                     {"counter", "Ops received, by kind and result (created, replayed, refused)."},
	"syncd_changes_published_total":       {"counter", "Changes handed to the WebSocket hub."},
	"syncd_board_pushes_total":            {"counter", "Supervisor boards computed that differed from the last and were pushed (board.go)."},
	"syncd_board_reads_total":             {"counter", "Reads of the store by the board's recompute (board.go)."},
	"syncd_board_read_microseconds_total": {"counter", "Time the board's recompute spent reading the store (bounded by the board's read_share)."},
	"syncd_board_bytes_total":             {"counter", "Bytes of board frames written to supervisors' WebSockets."},
	"syncd_logins_total":                  {"counter", "Sign-in attempts, by result (ok, refused, throttled)."},
	"syncd_session_lookups_total":         {"counter", "Bearer tokens checked, by source (cache, store) (sessions.go)."},
	"syncd_websockets_dropped_total":      {"counter", "WebSockets dropped by syncd, by reason."},
	"syncd_websockets":                    {"gauge", "Connected WebSockets (desktops online)."},
	"syncd_send_queue_depth":              {"gauge", "Changes waiting in WebSocket send queues: sum and max over connections."},
	"syncd_send_queue_capacity":           {"gauge", "Capacity of one WebSocket send queue."},
	"syncd_change_head":                   {"gauge", "Newest change seq handed to the hub."},
	"syncd_push_latency_seconds":          {"histogram", "Time from a change's publish, right after its commit, to its frame being written to a WebSocket."},
}

// handleMetrics serves GET /metrics. It holds no personal data: counts only.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	conns, depthSum, depthMax := s.hub.stats()
	s.pubMu.Lock()
	head := s.published
	s.pubMu.Unlock()

	series := map[string][]string{} // family -> lines
	addLine := func(family, line string) { series[family] = append(series[family], line) }
	s.metrics.mu.Lock()
	for name, c := range s.metrics.counters {
		family, _, _ := strings.Cut(name, "{")
		addLine(family, name+" "+strconv.FormatInt(c.Load(), 10))
	}
	s.metrics.mu.Unlock()
	addLine("syncd_websockets", "syncd_websockets "+strconv.Itoa(conns))
	addLine("syncd_send_queue_depth", `syncd_send_queue_depth{stat="sum"} `+strconv.Itoa(depthSum))
	addLine("syncd_send_queue_depth", `syncd_send_queue_depth{stat="max"} `+strconv.Itoa(depthMax))
	addLine("syncd_send_queue_capacity", "syncd_send_queue_capacity "+strconv.Itoa(max(1, s.SendQueue)))
	addLine("syncd_change_head", "syncd_change_head "+strconv.FormatInt(head, 10))
	series["syncd_push_latency_seconds"] = s.metrics.pushLatency.lines("syncd_push_latency_seconds")
	for _, family := range []string{"syncd_ops_total", "syncd_changes_published_total", "syncd_logins_total", "syncd_websockets_dropped_total"} {
		if _, ok := series[family]; !ok { // a counter never touched yet reads 0
			addLine(family, family+" 0")
		}
	}

	families := make([]string, 0, len(series))
	for f := range series {
		families = append(families, f)
	}
	sort.Strings(families)
	for _, f := range families {
		h := help[f]
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f, h.text, f, h.typ)
		lines := series[f]
		if h.typ != "histogram" {
			sort.Strings(lines)
		}
		io.WriteString(w, strings.Join(lines, "\n")+"\n")
	}
}

// histogram is a Prometheus histogram with fixed buckets, lock-free.
type histogram struct {
	bounds []float64
	counts []atomic.Int64 // per bucket, not cumulative; one more for +Inf
	sumNs  atomic.Int64
	count  atomic.Int64
}

func newHistogram(bounds []float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]atomic.Int64, len(bounds)+1)}
}

// observe records one duration.
func (h *histogram) observe(d time.Duration) {
	v := d.Seconds()
	i := sort.SearchFloat64s(h.bounds, v) // first bound >= v
	h.counts[i].Add(1)
	h.sumNs.Add(int64(d))
	h.count.Add(1)
}

// lines returns the histogram's series: cumulative buckets, sum and count.
func (h *histogram) lines(name string) []string {
	var out []string
	var cum int64
	for i, b := range h.bounds {
		cum += h.counts[i].Load()
		out = append(out, fmt.Sprintf(`%s_bucket{le="%s"} %d`, name, strconv.FormatFloat(b, 'g', -1, 64), cum))
	}
	cum += h.counts[len(h.bounds)].Load()
	out = append(out, fmt.Sprintf(`%s_bucket{le="+Inf"} %d`, name, cum))
	out = append(out, fmt.Sprintf("%s_sum %s", name, strconv.FormatFloat(float64(h.sumNs.Load())/1e9, 'g', -1, 64)))
	out = append(out, fmt.Sprintf("%s_count %d", name, h.count.Load()))
	return out
}
