package softphone

// WithInterfaceAddrs, WithWatchClock and WithRouteIP let the black-box
// tests stand in for the host's network and clock (netwatch.go).
var (
	WithInterfaceAddrs = withInterfaceAddrs
	WithWatchClock     = withWatchClock
	WithRouteIP        = withRouteIP
)
