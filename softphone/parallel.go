package softphone

// WithParallelCalls makes Answer take each call without holding the call
// in conversation: the phone then plays many phones at once, as a headless
// agent under load does (an operator's phone keeps the default, call
// waiting: one conversation at a time).
func WithParallelCalls() Option { return func(p *Phone) { p.parallelCalls = true } }

// ManyCallsGCPercent is the garbage collector's target (GOGC) for a process
// that runs one phone with many calls at once, as the headless agent does:
// each call's RTP makes short-lived garbage 50 times a second each way, and
// at Go's default of 100 the collections' CPU and assists land on SIP
// handling and lengthen INVITE->180 at the tail (docs/BENCHMARKS.md). Memory
// is cheap there: the agent's heap is a few MB. The process sets it with
// debug.SetGCPercent when GOGC is not in its environment.
const ManyCallsGCPercent = 400
