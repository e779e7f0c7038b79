package main

import (
	"fmt"
	"time"
)

// maxBoardDebounce bounds the board's debounce: longer, a change would
// reach the supervisors' boards too late to act on.
const maxBoardDebounce = 10 * time.Second

// check refuses board settings that make no sense: a negative or
// too long debounce, a negative TTL, a desk's SLA under one day.
func (b BoardSettings) check() error {
	if b.DebounceMS < 0 || time.Duration(b.DebounceMS)*time.Millisecond > maxBoardDebounce {
		return fmt.Errorf("board: debounce_ms (--board-debounce) must be between 0 (the default, 50 ms) and %v", maxBoardDebounce)
	}
	if b.ReadShare < 0 || b.ReadShare > 1 {
		return fmt.Errorf("board: read_share must be between 0 (the default, 0.03) and 1, a share of syncd's time")
	}
	if b.PresenceTTLSeconds < 0 {
		return fmt.Errorf("board: presence_ttl_seconds must not be negative")
	}
	for desk, days := range b.deskSLADays() {
		if days < 1 {
			return fmt.Errorf("board: desk_sla_days of %s must be at least 1 business day", desk)
		}
	}
	return nil
}

// deskSLADays returns the per-desk SLA days, nil when none.
func (b BoardSettings) deskSLADays() map[string]int {
	if b.DeskSLADays == nil {
		return nil
	}
	return *b.DeskSLADays
}
