package app

import (
	"strings"

	"fyne.io/fyne/v2/lang"

	"github.com/sportello/sportello"
)

// tr translates an English source text into the user's language.
func tr(s string) string { return lang.L(s) }

// errorTexts is the one table from error codes to what the user reads.
var errorTexts = map[string]string{
	sportello.EINVALID:      "Check the data",
	sportello.ENOTFOUND:     "Not found",
	sportello.ECONFLICT:     "Someone else changed this first",
	sportello.EUNAUTHORIZED: "Sign-in needed",
	sportello.EFORBIDDEN:    "Your role does not allow this",
	sportello.EUNAVAILABLE:  "syncd is unreachable",
	sportello.EINTERNAL:     "Something went wrong",
}

// errorText renders an error for the user: the code in words, then the
// detail the server or service gave.
func errorText(err error) string {
	code := sportello.ErrorCode(err)
	head, ok := errorTexts[code]
	if !ok {
		head = errorTexts[sportello.EINTERNAL]
	}
	msg := sportello.ErrorMessage(err)
	if code == sportello.EINTERNAL || msg == "" {
		return tr(head)
	}
	return tr(head) + ": " + tr(msg)
}

func outcomeText(o sportello.Outcome) string {
	switch o {
	case sportello.OutcomeResolvedFirstContact:
		return tr("Resolved at first contact")
	case sportello.OutcomeTransferred:
		return tr("Transferred")
	case sportello.OutcomeEscalated:
		return tr("Escalated to a desk")
	case sportello.OutcomeCallbackScheduled:
		return tr("Callback scheduled")
	case sportello.OutcomeAppointmentBooked:
		return tr("Appointment booked")
	case sportello.OutcomeMissed:
		return tr("Missed call")
	}
	return string(o)
}

func statusText(st sportello.CaseStatus) string {
	switch st {
	case sportello.StatusOpen:
		return tr("open")
	case sportello.StatusEscalated:
		return tr("at the desk")
	case sportello.StatusClaimed:
		return tr("in progress at the desk")
	case sportello.StatusAnswerReady:
		return tr("answer ready")
	case sportello.StatusResolved:
		return tr("resolved")
	}
	return string(st)
}

func eventText(e *sportello.CaseEvent) string {
	switch e.Kind {
	case sportello.EventOpened:
		return tr("Case opened")
	case sportello.EventCall:
		return tr("Call") + " " + displayNumber(e.Number)
	case sportello.EventNote:
		return tr("Note")
	case sportello.EventWrapUp:
		if e.Outcome == sportello.OutcomeMissed {
			return tr("Missed call") // nobody wrapped it up: the desktop recorded it
		}
		return tr("Wrap-up") + ": " + outcomeText(e.Outcome)
	case sportello.EventEscalated:
		return tr("Escalated to a desk")
	case sportello.EventClaimed:
		return tr("Taken by the desk")
	case sportello.EventAssigned:
		return tr("Assigned to") + " " + e.Assignee // by a supervisor (assign.go)
	case sportello.EventReleased:
		return tr("Released to the desk's queue")
	case sportello.EventAnswerReady:
		return tr("Answer ready")
	case sportello.EventResolved:
		return tr("Resolved")
	case sportello.EventReopened:
		return tr("Reopened")
	case sportello.EventCallbackScheduled:
		return tr("Callback scheduled") + " " + displayNumber(e.Number)
	case sportello.EventCallbackAttempt:
		return tr("Callback attempt") + ": " + attemptText(sportello.AttemptOutcome(e.Outcome))
	case sportello.EventAppointment:
		return tr("Appointment")
	case sportello.EventReplied:
		return replyText(e) // replies.go
	}
	return string(e.Kind)
}

func roleText(r sportello.Role) string {
	switch r {
	case sportello.RoleOperator:
		return tr("operator")
	case sportello.RoleSpecialist:
		return tr("specialist")
	case sportello.RoleSupervisor:
		return tr("supervisor")
	case sportello.RoleAdmin:
		return tr("administrator")
	}
	return string(r)
}

func taxCodeLabel(c *sportello.Citizen) string {
	if c.Kind == sportello.CitizenBusiness {
		return tr("VAT number")
	}
	return tr("Tax code")
}

// displayNumber groups an Italian E.164 number the way people read it:
// "+39 02 1234 5678".
func displayNumber(n string) string {
	if !strings.HasPrefix(n, "+39") || len(n) < 8 {
		return n
	}
	rest := n[3:]
	head := 2
	if strings.HasPrefix(rest, "3") {
		head = 3
	}
	if strings.HasPrefix(rest, "0") && !strings.HasPrefix(rest, "02") && !strings.HasPrefix(rest, "06") {
		head = 3
	}
	var b strings.Builder
	b.WriteString("+39 ")
	b.WriteString(rest[:head])
	rest = rest[head:]
	for len(rest) > 4 {
		b.WriteString(" " + rest[:4])
		rest = rest[4:]
	}
	if rest != "" {
		b.WriteString(" " + rest)
	}
	return b.String()
}

// endReasonText says why a call ended (softphone's reasons).
func endReasonText(reason string) string {
	switch reason {
	case "busy":
		return tr("busy")
	case "no answer":
		return tr("no answer")
	case "rejected":
		return tr("rejected")
	case "cancelled":
		return tr("cancelled")
	case "failed":
		return tr("failed")
	case "transferred":
		return tr("transferred")
	case "insecure media":
		return tr("insecure media")
	case "untrusted certificate":
		return tr("untrusted certificate")
	}
	return reason
}

// registrationReasonText translates the softphone's reasons for a failed
// registration that carry no SIP status.
func registrationReasonText(reason string) string {
	switch reason {
	case "registrar did not answer":
		return tr("registrar did not answer")
	case "registrar did not keep the binding":
		return tr("registrar did not keep the binding")
	}
	return reason
}
