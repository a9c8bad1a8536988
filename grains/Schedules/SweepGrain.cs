using Mirror.Schedules;

namespace Mirror.Grains.Schedules;

/// <summary>
/// A sweep's reminder: <see cref="ISweepGrain.Schedule"/> sets its period, and each tick runs <see cref="SweepAsync"/>. A tick that
/// fails (the database away) is logged by Orleans; the next one sweeps what it left.
/// </summary>
public abstract class SweepGrain : Grain, ISweepGrain, IRemindable
{
    private const string Reminder = "sweep";

    Task ISweepGrain.Schedule(TimeSpan every) => this.RegisterOrUpdateReminder(Reminder, every, every);

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) => reminderName == Reminder ? SweepAsync() : Task.CompletedTask;

    /// <summary>One sweep: short (a reminder tick is a grain call); longer work belongs in a task it starts.</summary>
    protected abstract Task SweepAsync();
}
