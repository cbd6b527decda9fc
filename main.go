// Command casevault keeps a solo lawyer's client files encrypted on their own
// computer. With no arguments (or only --vault DIR) it opens the desktop window; with a command it
// runs that command (see "casevault --help").
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
	// On SIGINT/SIGTERM, memguard wipes every key before the process exits.
	// Writes already acknowledged are in the redo log and survive.
	memguard.CatchSignal(func(os.Signal) {
		fmt.Fprintln(os.Stderr, "\ncasevault: interrupted; keys wiped. Changes already confirmed are saved.")
	}, os.Interrupt, syscall.SIGTERM)
	code := run()
	memguard.SafeExit(code)
}

func run() int {
	app.Version = version // recorded in backup snapshots
	if dir, ok := ui.WindowArgs(os.Args[1:]); ok {
		if err := ui.Run(version, dir); err != nil {
			fmt.Fprintln(os.Stderr, "casevault:", err)
			return 1
		}
		return 0
	}
	if os.Args[1] == "--version" || os.Args[1] == "version" {
		fmt.Println("casevault", version)
		return 0
	}
	if os.Args[1] == "demo" {
		return app.DemoMain(context.Background(), os.Args[2:], os.Stdout, os.Stderr)
	}
	return cli.Run(context.Background(), os.Args[1:], cli.OSEnv())
}
