package app

import "github.com/sportello/sportello"

// slaText is a queued case's SLA as syncd computed it: the due time in the
// office's zone and the at-risk or breached flag; nothing without one.
func (p *queuePanel) slaText(k *sportello.Case) []string {
	if k.SLA == nil || k.SLA.Due.IsZero() {
		return nil
	}
	parts := []string{tr("due") + " " + p.s.date(k.SLA.Due)}
	switch {
	case k.SLA.Breached:
		parts = append(parts, "⚠ "+tr("PAST DUE"))
	case k.SLA.AtRisk:
		parts = append(parts, "⚠ "+tr("AT RISK"))
	}
	return parts
}
