module prefixtune

go 1.26

require (
	github.com/tetratelabs/wazero v1.12.0
	gonum.org/v1/gonum v0.17.0
)

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/chromedp/chromedp v0.23.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/syumai/workers v0.33.0 // indirect
	golang.org/x/sys v0.44.0 // indirect
)
