package main

import (
	"context"
	"fmt"

	"github.com/sportello/sportello/demo"
)

// demoAppointments gives a demo city seeded before appointments existed
// the demo offices' services and slot calendars: the offices' ids depend
// on the seed alone, so they are the ones already stored.
func (m *Main) demoAppointments(ctx context.Context) error {
	svcs, err := m.Store.OfficeServices(ctx)
	if err != nil || len(svcs) > 0 {
		return err
	}
	d := demo.Generate(1, m.Now())
	if err := m.Store.PutOfficeServices(ctx, d.Offices, d.Services); err != nil {
		return fmt.Errorf("seed demo appointments: %w", err)
	}
	m.Logger.Info("seeded the demo offices' appointments", "services", len(d.Services))
	return nil
}
