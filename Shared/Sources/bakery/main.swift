import BakeryCLI

BakeryCommand.runAndExit()
