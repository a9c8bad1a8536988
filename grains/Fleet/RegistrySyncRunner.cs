using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirror.Distributions;
using Mirror.Grains.Sync;
using Mirror.Grains.Tasks;
using Mirror.Oci;
using Mirror.Oci.Upstream;
using Mirror.Remotes;
using Mirror.Repositories;
using Mirror.Storage;
using Mirror.Tasks;

namespace Mirror.Grains.Fleet;

/// <summary>
/// A registry sync: finds the upstream repositories the request names (globs read the upstream's <c>_catalog</c>), makes sure each
/// has its remote, repository and distribution (<see cref="SyncRegistry.MemberName"/>), starts one child sync task per repository
/// and follows them to their ends with a progress report per repository. The children run wherever their task grains are, side by
/// side, and their remotes share the parent remote's limiter (<see cref="RemoteSettings.SharesLimitsOf"/>). A repository that fails
/// does not stop the others; the task fails at the end naming each one that did and why. Run again (a silo died), it finds the same
/// objects and the same children by their name-derived ids.
/// </summary>
internal static class RegistrySyncRunner
{
    private const string Repositories = "registry.repositories";
    private const string Catalog = "registry.catalog";

    public static async Task<List<string>> Run(TaskContext context, SyncRegistry sync)
    {
        var parent = await context.Grains.GetGrain<IRemoteGrain>(sync.RemoteId).GetWithSecrets()
            ?? throw new TaskFailedException("The remote of this registry sync no longer exists.");
        var names = await Resolve(context, parent, sync.Repositories);
        context.Progress.Start(Repositories, "Syncing repositories", names.Count);
        await context.Progress.SaveAsync(force: true);

        var created = new List<string>();
        var failures = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var members = new List<Member>();
        foreach (var upstream in names)
        {
            context.Cancel.ThrowIfCancellationRequested();
            try
            {
                members.Add(await Prepare(context, sync, parent, upstream, created));
            }
            catch (ValidationFailedException e)
            {
                failures[upstream] = e.Detail;
                Report(context, upstream, TaskStates.Failed, $"{upstream}: {e.Detail}");
                context.Progress.Advance(Repositories);
            }
        }

        await context.RecordChildren(members.Select(m => m.Task).ToList());
        foreach (var member in members)
        {
            context.Cancel.ThrowIfCancellationRequested();
            await context.Grains.GetGrain<ITaskGrain>(member.Task)
                .StartChild(new SyncRepository(member.Repository, member.Remote, sync.Mirror, SignedOnly: false), context.LoggingCid, context.TaskId);
            Report(context, member.Upstream, TaskStates.Waiting, $"{member.Upstream}: {Hrefs.Task(member.Task)}");
        }
        await context.Progress.SaveAsync(force: true);

        await Follow(context, members, failures);
        context.Progress.Complete(Repositories);
        if (failures.Count > 0)
            throw new TaskFailedException($"{failures.Count} of {names.Count} repositories failed: "
                + string.Join("; ", failures.Select(f => $"{f.Key}: {f.Value}"))) { Created = created };
        return created;
    }

    /// <summary>The names as given and, for globs, the upstream's catalog entries they match; sorted, each once.</summary>
    private static async Task<List<string>> Resolve(TaskContext context, RemoteRecord parent, List<string> patterns)
    {
        var names = new SortedSet<string>(patterns.Where(p => !IsGlob(p)), StringComparer.Ordinal);
        var globs = patterns.Where(IsGlob).Select(TagFilter.Glob).ToList();
        if (globs.Count == 0) return [.. names];

        context.Progress.Start(Catalog, "Listing the upstream's repositories", total: 1);
        await context.Progress.SaveAsync(force: true);
        var upstream = new UpstreamSession(parent, await PermitScope.OfAsync(context.Grains, parent),
            context.Services.GetRequiredService<RemotePermits>(), context.Services.GetRequiredService<UpstreamLimits>());
        List<string> catalog;
        try
        {
            catalog = await upstream.Request((client, attempt) => client.ListRepositoriesAsync(attempt), context.Cancel);
        }
        catch (UpstreamException e)
        {
            throw new TaskFailedException($"The upstream's catalog could not be read ({e.Message}); name the repositories instead of globs.", e);
        }
        // A catalog entry outside the grammar would become a path upstream and a base path here: it is never taken.
        names.UnionWith(catalog.Where(RepositoryName.IsValid).Where(n => globs.Any(g => g.IsMatch(n))));
        context.Progress.Advance(Catalog);
        context.Progress.Complete(Catalog);
        return [.. names];
    }

    private static bool IsGlob(string pattern) => pattern.IndexOfAny(['*', '?', '[']) >= 0;

    /// <summary>The remote, repository and distribution of one upstream repository, made where missing; the remote follows the parent's settings.</summary>
    private static async Task<Member> Prepare(TaskContext context, SyncRegistry sync, RemoteRecord parent, string upstream, List<string> created)
    {
        var name = SyncRegistry.MemberName(parent.Settings.Name, upstream);
        var basePath = sync.MemberBasePath(upstream);
        if (name.Length > 255) throw new ValidationFailedException("name", $"The name {name} is longer than 255 characters.");
        if (basePath.Length > 255) throw new ValidationFailedException("base_path", $"The base path {basePath} is longer than 255 characters.");
        var grains = context.Grains;

        var remoteId = sync.MemberId("remote", upstream);
        var settings = parent.Settings with { Name = name, UpstreamName = upstream, SharesLimitsOf = parent.Id };
        var remote = grains.GetGrain<IRemoteGrain>(remoteId);
        if (await remote.GetWithSecrets() is not { } existing)
        {
            await remote.Create(settings, parent.Secrets);
            created.Add(Hrefs.Remote(remoteId));
        }
        else if (!Same(existing.Settings, settings) || existing.Secrets != parent.Secrets)
            await remote.Update(settings, parent.Secrets); // the parent changed since (or someone edited the child): the parent's settings win

        var repositoryId = sync.MemberId("repository", upstream);
        var repository = grains.GetGrain<IRepositoryGrain>(repositoryId);
        if (await repository.Get() is null)
        {
            await repository.Create(new RepositorySettings { Name = name, Remote = remoteId });
            created.Add(Hrefs.Repository(repositoryId));
        }

        var distributionId = sync.MemberId("distribution", upstream);
        var distribution = grains.GetGrain<IDistributionGrain>(distributionId);
        if (await distribution.Get() is null)
        {
            await distribution.Create(new DistributionSettings { Name = name, BasePath = basePath, Repository = repositoryId });
            created.Add(Hrefs.Distribution(distributionId));
        }
        return new Member(upstream, remoteId, repositoryId, NameIds.Of("registry-sync-task", $"{context.TaskId}/{upstream}"));
    }

    /// <summary>Settings hold lists and dictionaries, which records compare by reference: compared as the JSON they are stored as.</summary>
    private static bool Same(RemoteSettings a, RemoteSettings b) => JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);

    /// <summary>Follows every child until each has ended, keeping one report per repository in step with its child.</summary>
    private static async Task Follow(TaskContext context, List<Member> members, SortedDictionary<string, string> failures)
    {
        var byTask = members.ToDictionary(m => m.Task);
        await ChildTasks.FollowAsync(context, byTask.Keys, (id, child) =>
        {
            var member = byTask[id];
            if (child is null)
            {
                // Deleted by someone else once it had ended (an unfinished task cannot be): its outcome is unknown.
                failures[member.Upstream] = $"its task {Hrefs.Task(id)} is gone";
                Report(context, member.Upstream, TaskStates.Failed, $"{member.Upstream}: {failures[member.Upstream]}");
                context.Progress.Advance(Repositories);
                return;
            }
            var manifests = child.ProgressReports.FirstOrDefault(r => r.Code == SyncProgress.Manifests);
            var message = child.State switch
            {
                TaskStates.Failed => $"{member.Upstream}: {child.Error?.Description ?? "failed"}",
                TaskStates.Completed => $"{member.Upstream}: " + (child.CreatedResources.FirstOrDefault() ?? "no change"),
                _ => $"{member.Upstream}: {Hrefs.Task(member.Task)}",
            };
            Report(context, member.Upstream, child.State, message, manifests?.Done ?? 0, manifests?.Total);
            if (!TaskStates.IsFinal(child.State)) return;
            context.Progress.Advance(Repositories);
            if (child.State != TaskStates.Completed) failures[member.Upstream] = child.Error?.Description ?? child.State;
        });
    }

    /// <summary>One report per repository: its child's state, and the manifests it has mirrored.</summary>
    private static void Report(TaskContext context, string upstream, string state, string message, int done = 0, int? total = null) =>
        context.Progress.Set(new ProgressReport { Code = $"{Repositories}.{upstream}", Message = message, State = state, Done = done, Total = total });

    private sealed record Member(string Upstream, Guid Remote, Guid Repository, Guid Task);
}
