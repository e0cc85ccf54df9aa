import ArgumentParser

/// Options of every network subcommand: our calling AE title (DCMTK's `-aet`) and logging.
struct CommonOptions: ParsableArguments {
    @Option(
        name: [.customLong("aet")],
        help: ArgumentHelp(
            "Our (calling) AE title for this run (default: that of the configuration's SCU AE).",
            valueName: "TITLE"))
    var aet: String?

    @OptionGroup(title: "Logging") var logging: LoggingOptions
}

/// `--quiet` of the long operations (no progress line, no summary).
struct ProgressOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "No progress line and no summary.")
    var quiet = false
}
