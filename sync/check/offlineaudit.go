package check

import (
	"time"

	"github.com/sportello/sportello"
)

// OfflineMarker starts the reason of an audit row the desktop wrote while
// offline and sent on reconnect.
const OfflineMarker = "offline"

// MaxOfflineAge bounds how long ago an offline read may have happened: a
// desktop keeps its outbox through a long outage, not for ever.
const MaxOfflineAge = 90 * 24 * time.Hour

// OfflineRead checks a read of a citizen's record made offline, given by
// id, at, number and reason, against now: a UUID id, a time neither in the
// future (a minute of clock skew aside) nor older than MaxOfflineAge, a
// number in E.164 form when one is given and a reason. It returns the id
// and number normalised, the time in UTC and the reason with OfflineMarker.
func OfflineRead(id string, at time.Time, number, reason string, now time.Time) (string, string, time.Time, string, error) {
	id, err := OpID(id)
	if err != nil {
		return "", "", at, "", err
	}
	if at.IsZero() || at.After(now.Add(time.Minute)) || at.Before(now.Add(-MaxOfflineAge)) {
		return "", "", at, "", sportello.Errorf(sportello.EINVALID, "at: the offline read must have happened in the last %d days", int(MaxOfflineAge.Hours()/24))
	}
	if number != "" {
		if number, err = Number(number); err != nil {
			return "", "", at, "", err
		}
	}
	if reason, err = Reason(reason); err != nil {
		return "", "", at, "", err
	}
	return id, number, at.UTC(), Clip(OfflineMarker+": "+reason, MaxReasonLen+100), nil
}
