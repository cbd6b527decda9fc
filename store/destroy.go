package store

import "errors"

// ErrOnHold: a legal hold blocks the destruction (*OnHoldError says which).
var ErrOnHold = errors.New("on legal hold")

// ErrNotClosed: an open matter has no destroy-after date and cannot be
// destroyed.
var ErrNotClosed = errors.New("matter is open")

// ErrClientKept: a whole client file cannot be destroyed while the client
// has matters (lead or joint) that are not destroyed with it.
var ErrClientKept = errors.New("client has other matters")
