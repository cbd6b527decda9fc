// Command casevault keeps a solo lawyer's client files encrypted on their own
// computer. With no arguments (or only --vault DIR) it opens the desktop window; with a command it
// runs that command (see "casevault --help"). All of argv goes to cli.Main,
// which decides; the window is passed in so that the command line does not
// depend on Fyne.
package main

import (
	"context"
	"fmt"
	"os"
	"syscall"

	"github.com/awnumar/memguard"

	"casevault/app"
	"casevault/app/cli"
	"casevault/ui"
	_ "casevault/ui/locale" // before Fyne initialises: see its doc
)

var version = "dev"

func main() {
	// Opened documents' temporary copies that a crashed or killed casevault
	// left behind go before anything else runs (quietly).
	app.WipeStaleCopies()
	// On SIGINT/SIGTERM, memguard wipes every key before the process exits.
	// Writes already acknowledged are in the redo log and survive; the
	// temporary copies of opened documents are deleted.
	memguard.CatchSignal(func(os.Signal) {
		app.WipeOpenCopies()
		fmt.Fprintln(os.Stderr, "\ncasevault: interrupted; keys wiped. Changes already confirmed are saved.")
	}, os.Interrupt, syscall.SIGTERM)
	app.Version = version // recorded in backup snapshots
	window := func(dir string) error { return ui.Run(version, dir) }
	code := cli.Main(context.Background(), os.Args[1:], cli.OSEnv(), window)
	memguard.SafeExit(code)
}
