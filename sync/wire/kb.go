package wire

import "github.com/sportello/sportello"

// KBPageResponse is one page of the knowledge base, in id order: the
// desktop asks for the page after the last id it got until a page is empty.
type KBPageResponse struct {
	Entries []sportello.KBEntry `json:"entries"`
	Total   int                 `json:"total"` // entries in the whole knowledge base, for progress
}

// KBPageLimit is the largest page of the knowledge base syncd sends.
const KBPageLimit = 500
