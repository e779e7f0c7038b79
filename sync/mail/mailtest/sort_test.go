package mailtest

import (
	"slices"
	"testing"
)

// TestSortDelivered: Maildir names sort by delivery time as numbers (the
// microseconds are not zero-padded), then by Python's delivery count.
func TestSortDelivered(t *testing.T) {
	files := []string{
		"/m/new/1795709386.M123456P20085Q3.vm",
		"/m/new/1795709386.M99887P20085Q2.vm",
		"/m/new/1795709385.M999999P20085Q1.vm",
		"/m/new/1795709386.M123456P20085Q4.vm",
	}
	sortDelivered(files)
	want := []string{
		"/m/new/1795709385.M999999P20085Q1.vm",
		"/m/new/1795709386.M99887P20085Q2.vm",
		"/m/new/1795709386.M123456P20085Q3.vm",
		"/m/new/1795709386.M123456P20085Q4.vm",
	}
	if !slices.Equal(files, want) {
		t.Fatalf("sorted %q, want %q", files, want)
	}
}
