import Foundation

// `dicomlua storescp|qrscp|sample-data ...` goes to ArgumentParser; anything else is a script command line
// handled as lua.c does (ScriptInvocation), so script arguments are never taken for options.
MallocTuning.apply()
let commandLine = CommandLine.arguments
if commandLine.count > 1, ServiceCommands.names.contains(commandLine[1]) {
    ServiceCommands.run(Array(commandLine.dropFirst()))
} else {
    let status = ScriptRunner.main(commandLine)
    fflush(stdout)
    exit(status)
}
