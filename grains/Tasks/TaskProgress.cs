using Mirror.Storage;
using Mirror.Tasks;

namespace Mirror.Grains.Tasks;

/// <summary>
/// A task's progress reports, kept in memory as the work counts and written to the task's record at most once
/// a second (a sync of 10,000 tags must not write its state 10,000 times).
/// </summary>
public sealed class TaskProgress(Func<List<ProgressReport>, Task> save, TimeProvider clock)
{
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(1);
    private readonly List<ProgressReport> _reports = [];
    private DateTimeOffset _lastSave;
    private bool _changed;

    /// <summary>The reports as they stand, saved or not.</summary>
    public IReadOnlyList<ProgressReport> Reports => _reports;

    public void Start(string code, string message, int? total = null) => Update(code, r => r, message, total);

    public void Total(string code, int total) => Update(code, r => r with { Total = total });

    public void Advance(string code, int by = 1) => Update(code, r => r with { Done = r.Done + by });

    public void Complete(string code) => Update(code, r => r with { State = TaskStates.Completed, Total = r.Total ?? r.Done });

    /// <summary>Puts <paramref name="report"/> in the place of the report of its code (or adds it): a report whose message and state follow something else, such as a child task.</summary>
    public void Set(ProgressReport report) => Update(report.Code, _ => report);

    /// <summary>
    /// Writes the reports when they changed and the last write is a second old (or always, with <paramref name="force"/>).
    /// A routine write the database cannot take now is left for the next one: progress must not stop the work.
    /// </summary>
    public async Task SaveAsync(bool force = false)
    {
        if (!_changed || (!force && clock.GetUtcNow() - _lastSave < SaveInterval)) return;
        _changed = false;
        _lastSave = clock.GetUtcNow();
        try
        {
            await save([.. _reports]);
        }
        catch (Exception e) when (!force && TransientFaults.IsTransient(e))
        {
            _changed = true;
        }
    }

    private void Update(string code, Func<ProgressReport, ProgressReport> change, string? message = null, int? total = null)
    {
        var index = _reports.FindIndex(r => r.Code == code);
        var report = index >= 0 ? _reports[index] : new ProgressReport { Code = code, Message = message ?? code, State = TaskStates.Running, Total = total };
        report = change(report);
        if (index >= 0) _reports[index] = report;
        else _reports.Add(report);
        _changed = true;
    }
}
