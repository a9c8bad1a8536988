using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Api.Remotes;
using Mirror.Gateway.Api.Repositories;
using Mirror.Gateway.Http;
using Mirror.Schedules;

namespace Mirror.Gateway.Api.Schedules;

/// <summary>Reads and validates a scheduled sync from a create or update body (<c>mirror/sync-schedules/</c>).</summary>
public static class ScheduleFields
{
    private static readonly (string Name, Func<System.Text.Json.Nodes.JsonObject> Schema)[] ReadOnly =
    [
        ("pulp_href", Schema.Uri), ("task_schedule", Schema.Uri), ("pulp_created", Schema.DateTime), ("pulp_last_updated", Schema.DateTime),
        ("next_dispatch", () => Schema.DateTime().Nullable()), ("last_task", () => Schema.Uri().Nullable()),
        ("dispatched_runs", () => Schema.Integer()), ("skipped_runs", () => Schema.Integer()), ("last_skipped_task", () => Schema.Uri().Nullable()),
    ];

    /// <summary>The settings; <paramref name="grains"/> is null only while the OpenAPI document describes the body.</summary>
    public static async Task<ScheduleSettings> Read(FieldReader fields, ScheduleSettings? current, IGrainFactory? grains)
    {
        foreach (var (field, schema) in ReadOnly) fields.ReadOnly(field, schema());
        var name = fields.String("name", required: true, maxLength: 255);
        var repositoryHref = fields.String("repository", required: true);
        var remoteHref = fields.String("remote", required: true);
        var mirror = fields.Boolean("mirror", current?.Mirror ?? false);
        var cron = fields.String("cron", allowNull: true);
        var interval = fields.String("dispatch_interval", allowNull: true);

        var repository = current?.RepositoryId;
        // Only container repositories sync; a push repository's href is no match, as for its sync/.
        if (repositoryHref.Value is { } r && !Hrefs.TryParse(r, Hrefs.Repositories, out _)) fields.AddError("repository", "Invalid hyperlink - No URL match.");
        else if (grains is not null && repositoryHref.Value is { } h0)
            repository = (await RepositoryReference.Resolve(fields, "repository", h0, grains))?.Id;
        var remote = current?.RemoteId;
        if (grains is not null && remoteHref.Value is { } h) remote = await RemoteReference.Resolve(fields, "remote", h, grains);

        if (cron.Value is { } expression && Recurrence.ParseCron(expression) is null)
            fields.AddError("cron", "Enter a cron expression of five fields (minute hour day month weekday) or six (seconds first), in UTC.");
        TimeSpan? every = interval.Present ? null : current?.Interval;
        if (interval.Value is { } text)
        {
            every = DjangoDuration.Parse(text);
            if (every is null) fields.AddError("dispatch_interval", "Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu].");
            else if (every < Recurrence.ShortestInterval) fields.AddError("dispatch_interval", "Ensure this value is at least 1 second.");
            else if (every > Recurrence.LongestInterval) fields.AddError("dispatch_interval", "Ensure this value is at most 3650 days.");
        }
        var expressionSet = cron.Or(current?.Cron);
        // A partial update that sets one of the two replaces the other.
        if (cron is { Present: true, Value: not null } && !interval.Present) every = null;
        if (interval is { Present: true, Value: not null } && !cron.Present) expressionSet = null;
        if (!fields.HasError("cron") && !fields.HasError("dispatch_interval") && (expressionSet is null) == (every is null))
            fields.AddError(expressionSet is null ? "dispatch_interval" : "cron", "Set exactly one of cron and dispatch_interval.");
        fields.ThrowIfInvalid();
        return new ScheduleSettings
        {
            Name = name.Value ?? current?.Name ?? "",
            RepositoryId = repository ?? Guid.Empty,
            RemoteId = remote ?? Guid.Empty,
            Mirror = mirror.Value,
            Cron = expressionSet,
            Interval = expressionSet is null ? every : null,
        };
    }
}
