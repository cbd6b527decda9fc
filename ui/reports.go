package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// This file: the printable reports: who read and changed one client's
// data (Access report…, on a client's page), and what one person did
// (Activity report…, on the Users screen). app makes them; the window asks
// the dates and where to save, and opens the page in the browser to print.

// reportDialog asks a date range (the last 90 days by default), builds
// the report (build) and opens it in the browser to read or print (a
// private temporary page, removed when the vault locks) or saves it as
// HTML or CSV where the person chooses (recorded in the audit trail).
func (u *UI) reportDialog(title, what, fileName string, build func(ctx context.Context, from, to time.Time) (app.Report, error)) {
	now := u.now()
	from := u.newEntry("YYYY-MM-DD")
	to := u.newEntry("YYYY-MM-DD")
	from.SetText(human.Date(now.AddDate(0, 0, -90)))
	to.SetText(human.Date(now))
	errMsg := errLabel()
	var d dialog.Dialog
	dates := func() (time.Time, time.Time, bool) {
		f, err := parseDay("from", from.Text)
		if err == nil {
			var t time.Time
			if t, err = parseDay("to", to.Text); err == nil {
				if !t.IsZero() {
					t = t.AddDate(0, 0, 1) // the whole last day: to is exclusive
				}
				return f, t, true
			}
		}
		setMsg(errMsg, err.Error())
		return time.Time{}, time.Time{}, false
	}
	openB := u.button("Open to print", theme.DocumentPrintIcon(), func() {
		f, t, ok := dates()
		if !ok {
			return
		}
		d.Hide()
		u.printPage(func(ctx context.Context) (func(io.Writer) error, error) {
			r, err := build(ctx, f, t)
			if err != nil {
				return nil, err
			}
			return r.WriteHTML, nil
		})
	})
	openB.Importance = widget.HighImportance
	save := func(format, ext string) func() {
		return func() {
			f, t, ok := dates()
			if !ok {
				return
			}
			d.Hide()
			fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
				u.touch()
				if err != nil || w == nil {
					return
				}
				s := u.sess
				if s == nil {
					w.Close()
					return
				}
				run(u, func(ctx context.Context) (string, error) {
					r, err := build(ctx, f, t)
					if err == nil {
						err = s.SaveReport(ctx, r, format, w)
					}
					if cerr := w.Close(); err == nil {
						err = cerr
					}
					return w.URI().Path(), err
				}, func(path string, err error) {
					if err != nil {
						dialog.ShowError(fmt.Errorf("the report was not saved: %s", app.Message(err)), u.w)
						return
					}
					u.lastReport = path
					dialog.ShowInformation("Report saved", "Saved as "+path+". It is an ordinary file, not encrypted: "+
						"keep it somewhere safe and delete it when it has served.", u.w)
				})
			}, u.w)
			fd.SetFileName(fileName + ext)
			fd.Show()
		}
	}
	htmlB := u.button("Save as page…", theme.DocumentSaveIcon(), save("HTML", ".html"))
	csvB := u.button("Save as CSV…", theme.DocumentSaveIcon(), save("CSV", ".csv"))
	if !u.sess.CanDo(access.ExportReport) {
		htmlB.Disable()
		csvB.Disable()
	}
	cancel := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { d.Hide() }))
	body := container.NewVBox(
		wrapped(what),
		container.New(layout.NewFormLayout(), bold("From"), from, bold("To"), to),
		errMsg,
		container.NewHBox(cancel, layout.NewSpacer(), csvB, htmlB, openB),
	)
	if htmlB.Disabled() {
		body.Objects = append(body.Objects[:3], hint(u.deniedHint(access.ExportReport.Words)), body.Objects[3])
	}
	d = dialog.NewCustomWithoutButtons(title, container.NewStack(&widthBox{width: 520}, body), u.w)
	d.Show()
}

// openBrowser opens a page in the browser (Options.openBrowser in tests).
func (u *UI) openBrowser(path string) error {
	if u.opts.openBrowser != nil {
		return u.opts.openBrowser(path)
	}
	return app.OpenInBrowser(path)
}

// printPage builds a page (build) and opens it in the browser to read or
// print: a private temporary file, removed when the vault locks.
func (u *UI) printPage(build func(ctx context.Context) (func(io.Writer) error, error)) {
	run(u, func(ctx context.Context) (string, error) {
		write, err := build(ctx)
		if err != nil {
			return "", err
		}
		path, remove, _, err := app.ReportTempFile(write)
		if err != nil {
			return "", err
		}
		u.post(func() { u.reportFiles = append(u.reportFiles, remove) })
		return path, u.openBrowser(path)
	}, func(path string, err error) {
		u.lastReport = path
		switch {
		case path == "":
			dialog.ShowError(fmt.Errorf("the report could not be made: %s", app.Message(err)), u.w)
		case err != nil:
			dialog.ShowInformation("Report ready", "No browser could be opened ("+app.Message(err)+"). "+
				"Open this page in your browser to read or print it: "+path+
				"\n\nIt is removed when you lock the vault.", u.w)
		}
	})
}

// removeReports deletes the report pages opened to print (on lock).
func (u *UI) removeReports() {
	for _, rm := range u.reportFiles {
		rm()
	}
	u.reportFiles = nil
}

// parseDay reads a YYYY-MM-DD date; "" = no limit.
func parseDay(name, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := human.ParseDate(s)
	if err != nil {
		return t, fmt.Errorf("“%s”: %w", human.Capitalize(name), err)
	}
	return t, nil
}

// accessReport: every read and change of one client's data, by whom and when.
func (u *UI) accessReport(clientID int64, clientName string) {
	s := u.sess
	u.reportDialog("Access report for "+clientName,
		"Every time someone opened or changed "+clientName+"'s records (the client, their matters, notes and parties, "+
			"and conflict checks that found them), by whom and when, between two dates. For a client's question, "+
			"or to assess what a breach exposed.",
		"casevault-access-"+safeName(clientName),
		func(ctx context.Context, from, to time.Time) (app.Report, error) {
			return s.AccessReport(ctx, clientID, from, to)
		})
}

// activityReport: what one person opened, changed and exported.
func (u *UI) activityReport(user string) {
	s := u.sess
	u.reportDialog("Activity report for "+user,
		"Everything "+user+" opened, changed and exported between two dates, from the audit trail.",
		"casevault-activity-"+safeName(user),
		func(ctx context.Context, from, to time.Time) (app.Report, error) {
			return s.ActivityReport(ctx, user, from, to)
		})
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '/', '\\', ':', '*', '?', '"', '<', '>', '|':
			return '-'
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}
