package softphone

// WithParallelCalls makes Answer take each call without holding the call
// in conversation: the phone then plays many phones at once, as a headless
// agent under load does (an operator's phone keeps the default, call
// waiting: one conversation at a time).
func WithParallelCalls() Option { return func(p *Phone) { p.parallelCalls = true } }
