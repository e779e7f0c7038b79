package softphone

// RTPSeeds and RTCPSeeds expose the fuzz seeds to the black-box tests,
// which throw them at a call.
var (
	RTPSeeds  = rtpSeeds
	RTCPSeeds = rtcpSeeds
)
