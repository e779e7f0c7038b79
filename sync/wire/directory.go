package wire

import "github.com/sportello/sportello"

// DirectoryPageResponse is one page of the transfer directory, in id
// order: the desktop asks for the page after the last id it got until a
// page is empty.
type DirectoryPageResponse struct {
	Entries []sportello.DirectoryEntry `json:"entries"`
	Total   int                        `json:"total"` // entries in the whole directory, for progress
}

// DirectoryPageLimit is the largest page of the directory syncd sends.
const DirectoryPageLimit = 500
