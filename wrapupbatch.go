package sportello

// WrapUpOp is one wrap-up of a group commit (issue 4): what was recorded
// and who recorded it. Wrap-ups of many desktops are stored several per
// transaction, each with its own result.
type WrapUpOp struct {
	Actor  *User
	WrapUp WrapUp
}

// WrapUpResult is what a group commit did with one WrapUpOp: the case as
// the wrap-up left it, whether it repeated an op id already recorded, or
// why it was refused (a refused op writes nothing and refuses no other).
type WrapUpResult struct {
	Case     *Case
	Replayed bool
	Err      error
}
