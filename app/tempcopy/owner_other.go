//go:build !unix

package tempcopy

import "os"

func ownedByMe(os.FileInfo) bool { return true }

func userSuffix() string { return "" }
