using System.Text.Json;
using System.Text.Json.Serialization;
using Mirror.Bench;
using Mirror.Bench.Report;
using Mirror.Bench.Topology;

// ./mirror bench runs this with the deployment's environment (MIRROR_SCRIPT, MIRROR_DATA, ports) and
// MIRROR_BENCH_RESULTS, the folder that receives latest.md, latest.json and latest.svg.
if (args is [FanOutSilo.Argument, ..])
{
    await FanOutSilo.RunAsync(args);
    return 0;
}
var folder = Environment.GetEnvironmentVariable("MIRROR_BENCH_RESULTS") ?? Path.Combine(Environment.CurrentDirectory, "bench", "results");
var json = new JsonSerializerOptions
{
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
};
if (args is ["--report"])
{
    // latest.md and latest.svg written again from latest.json: after a change to the report or to bench/code-notes.md
    // (which latest.md carries), without measuring again.
    // The results' lists are get-only: filled in place, as the run fills them.
    var reading = new JsonSerializerOptions(json) { PreferredObjectCreationHandling = JsonObjectCreationHandling.Populate };
    var raw = JsonSerializer.Deserialize<BenchResults>(await File.ReadAllTextAsync(Path.Combine(folder, "latest.json")), reading)
        ?? throw new InvalidOperationException($"{folder}/latest.json holds no results");
    await WriteReportAsync(new Summary(raw));
    Console.WriteLine($"written again from latest.json: {folder}/latest.md, latest.svg");
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop measuring, but let the deployment and the registry be stopped
    cancel.Cancel();
};

var results = await Benchmark.RunAsync(options, cancel.Token);
if (options.Only == BenchOptions.Parts.OnDemand)
{
    // The on-demand part alone: printed; bench/results/latest.* stay the full run's.
    if (results.OnDemand is { } onDemand)
        foreach (var round in onDemand.Rounds)
            Console.WriteLine($"round {round.Round}: plain {round.PlainSeconds:F2} s, first {round.FirstPullSeconds:F2} s = {round.PlainSeconds / round.FirstPullSeconds:F2}×, " +
                $"repeat {round.RepeatPullSeconds:F2} s = {round.PlainSeconds / round.RepeatPullSeconds:F2}×; CPU s plain {Summary.CpuList(round.PlainCpu)} | first {Summary.CpuList(round.FirstPullCpu)} | repeat {Summary.CpuList(round.RepeatPullCpu)}");
    foreach (var (target, measured, met) in new Summary(results).Targets())
        Console.WriteLine($"  {(met is null ? "n/a   " : met.Value ? "met   " : "MISSED")}  {target}: {measured}");
    foreach (var problem in results.Problems) Console.WriteLine($"  problem: {problem}");
    return results.Problems.Count == 0 ? 0 : 1;
}
var summary = new Summary(results);
Directory.CreateDirectory(folder);
await File.WriteAllTextAsync(Path.Combine(folder, "latest.json"), JsonSerializer.Serialize(results, json));
await WriteReportAsync(summary);

Console.WriteLine();
Console.WriteLine(MarkdownReport.Table(summary));
foreach (var (target, measured, met) in summary.Targets())
    Console.WriteLine($"  {(met is null ? "n/a   " : met.Value ? "met   " : "MISSED")}  {target}: {measured}");
foreach (var problem in results.Problems) Console.WriteLine($"  problem: {problem}");
Console.WriteLine($"\nwritten: {folder}/latest.md, latest.json, latest.svg");
return results.Problems.Count == 0 ? 0 : 1;

async Task WriteReportAsync(Summary summary)
{
    await File.WriteAllTextAsync(Path.Combine(folder, "latest.md"), MarkdownReport.Write(summary));
    await File.WriteAllTextAsync(Path.Combine(folder, "latest.svg"), ThroughputChart.Render(summary));
}
