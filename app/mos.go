package app

import (
	"fmt"
	"math"

	"github.com/sportello/sportello"
)

// liveMOS is the MOS the presence report carries for the board: the
// phone's estimate rounded to a tenth (so that a report goes only when
// the quality a supervisor reads changes), 0 when there is none.
func liveMOS(q *sportello.CallQuality) float64 {
	if q == nil || q.MOS < 1 || q.MOS > 4.5 {
		return 0
	}
	return math.Round(q.MOS*10) / 10
}

// mosDetail is what the board's agent line says of call quality: the
// current call's MOS, and the average of today's calls that had one.
func mosDetail(a sportello.BoardAgent) []string {
	var parts []string
	if a.Caller != "" && a.MOS > 0 {
		parts = append(parts, fmt.Sprintf("%s %.1f", tr("Audio quality"), a.MOS))
	}
	if a.MOSCalls > 0 {
		parts = append(parts, fmt.Sprintf(tr("audio quality today %.1f over %d calls"), a.AvgMOS, a.MOSCalls))
	}
	return parts
}
