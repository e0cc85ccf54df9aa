import Foundation

// `dicomlua echo|find|move|get|send|probe|storescp|qrscp|sample-data|deidentify|campaign ...` goes to ArgumentParser
// (CommandLineRunner: exit 0/1/2 in the `dicomlua: ...` style); anything else is a script command line
// handled as lua.c does (ScriptInvocation), so script arguments are never taken for options.
// ArgumentParser's own `--generate-completion-script SHELL` and `--experimental-dump-help` (used by the
// generate-manual plugin) go to it too.
MallocTuning.apply()
let commandLine = CommandLine.arguments
let parserOptions: Set<String> = ["--generate-completion-script", "--experimental-dump-help"]
if commandLine.count > 1,
    ServiceCommands.names.contains(commandLine[1])
        || parserOptions.contains(String(commandLine[1].split(separator: "=").first ?? ""))
{
    CommandLineRunner.main(Array(commandLine.dropFirst()))
} else {
    let status = ScriptRunner.main(commandLine)
    flushStandardOutput()
    exit(status)
}
