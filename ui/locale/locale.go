// Package locale runs before Fyne's packages initialise (Go initialises
// ready packages in import-path order, and "casevault/..." sorts before
// "fyne.io/..."). When the process has no usable locale (LANG unset, "C" or
// "POSIX"), Fyne logs a parse error on every start, even for command-line
// use; this sets an English UTF-8 locale for the process instead.
package locale

import "os"

func init() {
	if l := os.Getenv("LC_ALL"); l != "" && l != "C" && l != "POSIX" {
		return
	}
	switch os.Getenv("LANG") {
	case "", "C", "POSIX", "C.UTF-8", "C.utf8":
		os.Setenv("LANG", "en_US.UTF-8")
		if l := os.Getenv("LC_ALL"); l == "C" || l == "POSIX" {
			os.Unsetenv("LC_ALL")
		}
	}
}
