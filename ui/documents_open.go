package ui

import (
	"context"
	"fmt"

	"casevault/app"
)

// canOpenDocuments: the Open buttons are shown (app.OpenDocument is there).
const canOpenDocuments = true

// openDocument opens version n of d (0: the current one) in its usual
// program, from a private temporary copy (app.OpenDocument). Each change
// saved there becomes a new version (asked first when the setting says
// so), and the window says so.
func (u *UI) openDocument(d app.DocumentInfo, n int) {
	s := u.sess
	if s == nil {
		return
	}
	o := app.OpenOptions{Version: n, OnVersion: u.onDocVersion(s), OnProblem: u.onDocProblem(s)}
	if u.set.AskDocVersion {
		o.Ask = u.askDocVersion(s)
	}
	if u.opts.openBrowser != nil {
		o.Open = u.opts.openBrowser
	}
	if u.docOpened == nil {
		u.docOpened = map[int64]app.DocumentInfo{}
	}
	u.docOpened[d.ID] = d
	name := "“" + docName(d) + "”"
	run(u, func(ctx context.Context) (*app.OpenCopy, error) {
		return s.OpenDocument(ctx, d.ID, o)
	}, func(c *app.OpenCopy, err error) {
		p := u.main.docsFor(app.DocTarget{ClientID: d.ClientID, MatterID: d.MatterID})
		switch {
		case err != nil && c != nil:
			// The copy is there and watched, but its program did not
			// start: the message says where it is, to open it by hand.
			u.showText("Open the copy by hand", app.Message(err))
			return
		case err != nil:
			u.showText("The document was not opened", name+": "+app.Message(err))
			return
		case c != nil && c.Notice != "":
			u.showText("Where the opened copy is", c.Notice)
		}
		if p == nil {
			return
		}
		what := name
		if n != 0 {
			what = fmt.Sprintf("Version %d of %s", n, name)
		}
		p.say(what+" is open in its usual program. When you save it there, the change is kept as a new version; "+
			"the copy it opened is removed when the vault locks.", false)
	})
}
