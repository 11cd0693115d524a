from traceplay.cli import main

main()
