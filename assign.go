package sportello

import "context"

// mayAssign checks an assigned event: it names the specialist, and the
// case could be claimed now (escalated to a desk, nobody holding it). A
// supervisor who wants to give a held case to someone else releases it
// first, so the holder is never overridden silently.
func (c *Case) mayAssign(e *CaseEvent) error {
	if e.AssigneeID == "" {
		return Errorf(EINVALID, "choose the specialist to assign the case to")
	}
	switch c.Status {
	case StatusEscalated:
		return nil
	case StatusClaimed, StatusAnswerReady:
		return Errorf(ECONFLICT, "the case is already taken by %s: release it first", c.ClaimedBy)
	default:
		return Errorf(ECONFLICT, "only a case escalated to a desk can be assigned")
	}
}

// AssignService lets a supervisor give a case waiting at a desk to one of
// the desk's specialists: the case shows as taken by them in the desk's
// queue and reaches their desktop.
type AssignService interface {
	AssignCase(ctx context.Context, caseID, specialistID string) (*Case, error)
}
