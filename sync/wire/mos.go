package wire

// WrapUpMOS is the audio quality of an author's wrap-ups since a moment:
// how many carried a MOS and their sum, for the board's average.
type WrapUpMOS struct {
	AuthorID string
	Calls    int
	Sum      float64
}
