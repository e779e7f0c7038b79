package sportello

// AlertTrueFCRBelowTarget is raised when true first-contact resolution
// today (repeat contacts removed, see FCRCounts) is under its target: the
// recorded rate can look fine while citizens call back about the same
// thing.
const AlertTrueFCRBelowTarget AlertKind = "true_fcr_below_target"
