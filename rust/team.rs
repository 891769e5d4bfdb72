//! Threads sharing one lane group: when there are fewer groups of 16 reads
//! than threads (16 reads on two cores), the members of a team split every
//! colour class of the sweep between them.
//!
//! A spin's update reads the spins of earlier classes as this sweep left them
//! and those of later classes as the last sweep did. Members do not wait for
//! each other after every class (a barrier per class stalled the faster one
//! at every class): each class of a member is cut into its boundary spins
//! (some neighbour is another member's) and its interior spins (all
//! neighbours its own). A member updates its boundary spins of a class once
//! every other member has finished its boundary spins of the previous class,
//! says so, and then updates its interior spins while the others go on. The
//! interior spins read only the member's own rows, so no member is ever more
//! than one class ahead of another where it matters, every spin sees exactly
//! the neighbours of the one-thread sweep, and the samples are the same bits.
//!
//! Where the cost is: a row one member writes and another reads crosses
//! between the cores' caches. So the spins are cut into runs of an order in
//! which neighbours sit close (index order, whose runs leave 1 spin in 16 on
//! the boundary of a Chimera glass cut in two; breadth-first order when index
//! runs leave more than 1 in 8, as for models numbered chain by chain), the team
//! sweeps a copy of the model whose rows put each member's boundary spins
//! together and its interior spins together, with gaps between (so the
//! prefetchers never pull another member's rows), and a member fetches the
//! rows its next boundary spins will read while it updates its interior.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::kernel::{sweep_spins, KernelModel, KernelTables, LaneRows, Lanes, Real, LANES};
use crate::resources::Stop;

/// Rows left empty between blocks of rows written by different members (or
/// read by other members): 4 KB for single precision, so that the CPU's
/// prefetchers, which fetch neighbouring lines of the same page, never pull a
/// row another member is writing.
const GAP_ROWS: usize = 64;

/// How a team shares a group: who updates which spin, in a copy of the model
/// whose rows are laid out for it (each member's boundary spins together,
/// then its interior spins, with gaps between).
pub struct TeamPlan<T> {
    /// The model with spin i in row `row_of[i]`.
    model: KernelModel<T>,
    row_of: Vec<u32>,
    /// `parts[member][class]` = (boundary, interior), as rows.
    parts: Vec<Vec<(Vec<u32>, Vec<u32>)>>,
    /// `remote[member][class]`: the rows of other members that the member's
    /// boundary spins of that class read (fetched ahead while it waits).
    remote: Vec<Vec<Vec<u32>>>,
}

impl<T: Real> TeamPlan<T> {
    pub fn new(m: &KernelModel<T>, team: usize) -> Self {
        let team = team.max(1);
        let tables = m.tables();
        // Each member owns a run of about 1/team of the sweep's work in some
        // order of the spins where neighbours sit close: the index order
        // (hardware labels follow the chip's layout) or, when that leaves
        // many spins on a boundary, breadth-first order (for models whose
        // spins are numbered chain by chain) if it leaves fewer.
        let mut free = vec![false; m.num_spins()];
        for &i in tables.order {
            free[i as usize] = true;
        }
        let by_index: Vec<u32> = (0..m.num_spins() as u32)
            .filter(|&i| free[i as usize])
            .collect();
        let owner = owners(&tables, &by_index, team);
        let count = boundary_count(&tables, &owner);
        // Breadth-first order only when the index order leaves more than 1
        // spin in 8 on a boundary (it costs as much as the rest of the plan).
        let owner = if count * 8 > by_index.len() {
            let other = owners(&tables, &breadth_first(&tables), team);
            if boundary_count(&tables, &other) < count {
                other
            } else {
                owner
            }
        } else {
            owner
        };
        let classes: Vec<&[u32]> = m.colour_classes().collect();
        // parts[k][c] in the model's labels.
        let parts: Vec<Vec<(Vec<u32>, Vec<u32>)>> = (0..team)
            .map(|k| {
                classes
                    .iter()
                    .map(|class| {
                        class
                            .iter()
                            .filter(|&&i| owner[i as usize] == k)
                            .partition(|&&i| on_boundary(&tables, &owner, i))
                    })
                    .collect()
            })
            .collect();
        // Rows: per member its boundary block, then its interior block; then
        // the fixed spins (read by all, written by none).
        let n = m.num_spins();
        let mut row_of = vec![u32::MAX; n];
        let mut next = 0usize;
        for member in &parts {
            for kind in 0..2 {
                for (boundary, interior) in member {
                    for &i in if kind == 0 { boundary } else { interior } {
                        row_of[i as usize] = next as u32;
                        next += 1;
                    }
                }
                next += GAP_ROWS;
            }
        }
        for r in row_of.iter_mut().filter(|r| **r == u32::MAX) {
            *r = next as u32;
            next += 1;
        }
        let rows = |list: &Vec<u32>| list.iter().map(|&i| row_of[i as usize]).collect();
        let remote = parts
            .iter()
            .enumerate()
            .map(|(k, member)| {
                member
                    .iter()
                    .map(|(boundary, _)| {
                        let mut far: Vec<u32> = boundary
                            .iter()
                            .flat_map(|&i| {
                                let i = i as usize;
                                tables.neighbours
                                    [tables.offsets[i] as usize..tables.offsets[i + 1] as usize]
                                    .iter()
                            })
                            .filter(|&&j| {
                                let o = owner[j as usize];
                                o != usize::MAX && o != k
                            })
                            .map(|&j| row_of[j as usize])
                            .collect();
                        far.sort_unstable();
                        far.dedup();
                        far
                    })
                    .collect()
            })
            .collect();
        let parts = parts
            .iter()
            .map(|member| member.iter().map(|(b, i)| (rows(b), rows(i))).collect())
            .collect();
        TeamPlan {
            model: m.relabelled(&row_of, next),
            row_of,
            parts,
            remote,
        }
    }

    pub fn team(&self) -> usize {
        self.parts.len()
    }

    fn classes(&self) -> u64 {
        self.parts.first().map_or(0, |p| p.len() as u64)
    }

    /// The model the team sweeps, in its rows.
    pub fn model(&self) -> &KernelModel<T> {
        &self.model
    }

    /// Rows of the team's state, laid out from `state` (a row per spin of
    /// the original model; the gaps hold +1).
    pub fn to_rows(&self, state: &[Lanes<T>]) -> Result<LaneRows<T>> {
        let mut rows = LaneRows::filled("num_spins", self.model.num_spins(), [T::ONE; LANES])?;
        for (i, &r) in self.row_of.iter().enumerate() {
            rows[r as usize] = state[i];
        }
        Ok(rows)
    }

    /// The inverse of `to_rows`.
    pub fn from_rows(&self, rows: &[Lanes<T>], state: &mut [Lanes<T>]) {
        for (i, &r) in self.row_of.iter().enumerate() {
            state[i] = rows[r as usize];
        }
    }

    /// Spins on the boundary, over all members and classes.
    pub fn boundary_spins(&self) -> usize {
        self.parts.iter().flatten().map(|(b, _)| b.len()).sum()
    }
}

/// The owner of every free spin (`usize::MAX` for fixed spins) when each
/// member takes a run of `order` holding about 1/team of the work (a spin
/// costs its degree plus a constant, as in `lane_sweep_cost`).
fn owners<T>(tables: &KernelTables<'_, T>, order: &[u32], team: usize) -> Vec<usize> {
    let cost = |i: u32| (tables.offsets[i as usize + 1] - tables.offsets[i as usize]) as f64 + 4.0;
    let total: f64 = order.iter().map(|&i| cost(i)).sum();
    let mut owner = vec![usize::MAX; tables.h.len()];
    let mut acc = 0.0;
    for &i in order {
        owner[i as usize] = ((acc / total * team as f64) as usize).min(team - 1);
        acc += cost(i);
    }
    owner
}

/// Whether a free spin has a neighbour owned by another member (fixed spins
/// have no owner: they never change).
fn on_boundary<T>(tables: &KernelTables<'_, T>, owner: &[usize], i: u32) -> bool {
    let i = i as usize;
    let (lo, hi) = (tables.offsets[i] as usize, tables.offsets[i + 1] as usize);
    tables.neighbours[lo..hi].iter().any(|&j| {
        let o = owner[j as usize];
        o != usize::MAX && o != owner[i]
    })
}

fn boundary_count<T>(tables: &KernelTables<'_, T>, owner: &[usize]) -> usize {
    tables
        .order
        .iter()
        .filter(|&&i| on_boundary(tables, owner, i))
        .count()
}

/// The free spins in breadth-first order, each connected part from a spin
/// far from where its search first started (levels across the part, not
/// around its middle).
fn breadth_first<T>(tables: &KernelTables<'_, T>) -> Vec<u32> {
    let n = tables.h.len();
    let mut free = vec![false; n];
    for &i in tables.order {
        free[i as usize] = true;
    }
    // Visit order from `root` over the unvisited free spins; marks them.
    let search = |root: u32, seen: &mut Vec<bool>| -> Vec<u32> {
        let mut out = vec![root];
        seen[root as usize] = true;
        let mut k = 0;
        while k < out.len() {
            let i = out[k] as usize;
            for &j in &tables.neighbours[tables.offsets[i] as usize..tables.offsets[i + 1] as usize]
            {
                if free[j as usize] && !seen[j as usize] {
                    seen[j as usize] = true;
                    out.push(j);
                }
            }
            k += 1;
        }
        out
    };
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(tables.order.len());
    for &start in tables.order {
        if seen[start as usize] {
            continue;
        }
        // The last spin reached from `start` is far from it: search again from there.
        let reached = search(start, &mut seen);
        let far = *reached.last().unwrap_or(&start);
        for &i in &reached {
            seen[i as usize] = false;
        }
        order.extend(search(far, &mut seen));
    }
    order
}

/// A counter on a cache line of its own: each member writes only its own.
#[repr(align(128))]
struct Padded(AtomicU64);

/// What the members of a team tell each other.
pub struct TeamSync {
    /// Per member: how many stages (class sweeps, counted over all sweeps)
    /// whose boundary spins it has finished.
    done: Vec<Padded>,
    /// Set by member 0: everyone stops (a stop request).
    halt: AtomicBool,
    /// Set by member 0: from this stage on it sweeps alone.
    solo_stage: AtomicU64,
    /// Members other than 0 that have joined (`join`), and the `CLOSED` bit
    /// once member 0 takes no more.
    joined: AtomicU64,
    /// Members other than 0 that joined and have returned.
    left: AtomicUsize,
    /// Set by member 0 once no one else joins: `TEAM` or `ALONE`.
    start: AtomicU8,
    /// Member 0 goes on alone from the sweep after this one, whatever the
    /// waits (tests of the hand-over).
    solo_after: u64,
}

impl TeamSync {
    pub fn new(team: usize) -> Self {
        TeamSync {
            done: (0..team).map(|_| Padded(AtomicU64::new(0))).collect(),
            halt: AtomicBool::new(false),
            solo_stage: AtomicU64::new(u64::MAX),
            joined: AtomicU64::new(0),
            left: AtomicUsize::new(0),
            start: AtomicU8::new(PENDING),
            solo_after: u64::MAX,
        }
    }

    /// Wait until every other member has finished the boundary spins of
    /// every stage before `stage`; `None` if the team halts meanwhile.
    /// Spins briefly (a stage lasts microseconds), then yields, so a loaded
    /// machine is not made worse.
    fn wait(&self, member: usize, stage: u64) -> Option<Duration> {
        let ready = || self.ready(member, stage);
        if ready() {
            return Some(Duration::ZERO);
        }
        let start = Instant::now();
        let mut spins = 0u32;
        while !ready() {
            if self.halt.load(Ordering::Relaxed) {
                return None;
            }
            pause(&mut spins);
        }
        Some(start.elapsed())
    }
}

/// A pause in a wait: spin briefly (the wait is usually short), then yield,
/// so a loaded machine is not made worse.
#[inline]
fn pause(spins: &mut u32) {
    if *spins < 4000 {
        std::hint::spin_loop();
        *spins += 1;
    } else {
        std::thread::yield_now();
    }
}

/// Set in `TeamSync::joined` once member 0 takes no more members.
const CLOSED: u64 = 1 << 63;

/// `TeamSync::start`: member 0 is still waiting for members to join; the
/// team sweeps; member 0 sweeps alone (someone did not join in time).
const PENDING: u8 = 0;
const TEAM: u8 = 1;
const ALONE: u8 = 2;

/// How long member 0 waits for the others to join before it sweeps alone:
/// they run on the pool's other threads, which may all be busy (another
/// call sharing the pool); a sleeping thread wakes in tens of microseconds.
const JOIN_WAIT: Duration = Duration::from_millis(1);

impl TeamSync {
    /// A member other than 0 joins, unless member 0 has stopped waiting.
    fn join(&self) -> bool {
        self.joined
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |j| {
                (j & CLOSED == 0).then_some(j + 1)
            })
            .is_ok()
    }

    /// Member 0: wait until the whole team has joined or `JOIN_WAIT` has
    /// passed; then no one else joins, and the members that did learn
    /// whether the team sweeps (`TEAM`) or member 0 alone. Returns whether
    /// the team sweeps.
    fn gather_team(&self, team: usize) -> bool {
        let start = Instant::now();
        let mut spins = 0u32;
        while self.joined.load(Ordering::Acquire) < team as u64 - 1 {
            if start.elapsed() > JOIN_WAIT {
                break;
            }
            pause(&mut spins);
        }
        let all = self.joined.fetch_or(CLOSED, Ordering::AcqRel) == team as u64 - 1;
        self.start
            .store(if all { TEAM } else { ALONE }, Ordering::Release);
        all
    }

    /// A member other than 0 that joined: whether the team sweeps.
    fn team_sweeps(&self) -> bool {
        let mut spins = 0u32;
        loop {
            match self.start.load(Ordering::Acquire) {
                PENDING => pause(&mut spins),
                s => return s == TEAM,
            }
        }
    }

    /// Member 0: wait until every member that joined has returned.
    fn wait_for_leavers(&self) {
        let joined = (self.joined.load(Ordering::Acquire) & !CLOSED) as usize;
        while self.left.load(Ordering::Acquire) < joined {
            std::thread::yield_now();
        }
    }
}

impl TeamSync {
    /// Whether every other member has finished the boundary spins of every
    /// stage before `stage`.
    #[inline]
    fn ready(&self, member: usize, stage: u64) -> bool {
        self.done
            .iter()
            .enumerate()
            .all(|(j, d)| j == member || d.0.load(Ordering::Acquire) >= stage)
    }
}

/// The rows of a lane group shared by the threads of a team.
#[derive(Clone, Copy)]
pub struct SharedRows<T> {
    rows: *mut Lanes<T>,
    len: usize,
}

impl<T> SharedRows<T> {
    /// # Safety
    /// `rows` must stay alive and untouched, but through `run_member` by
    /// the members of one team (or through `rows` by a single member once
    /// the others have stopped), as long as the handle is used.
    pub unsafe fn new(rows: &mut [Lanes<T>]) -> Self {
        SharedRows {
            rows: rows.as_mut_ptr(),
            len: rows.len(),
        }
    }

    /// The rows as a slice.
    ///
    /// # Safety
    /// No other thread may use the rows while the slice lives.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn rows(&self) -> &mut [Lanes<T>] {
        // SAFETY: `new` took a live slice of `len` rows; the caller
        // guarantees exclusive use.
        unsafe { std::slice::from_raw_parts_mut(self.rows, self.len) }
    }
}

// SAFETY: the members write disjoint rows, ordered by `TeamSync` (see
// `run_member`), under the contract of `SharedRows::new`.
unsafe impl<T: Send> Send for SharedRows<T> {}
unsafe impl<T: Send> Sync for SharedRows<T> {}

/// How a member's part ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Finished,
    /// A stop request: the rows are incomplete.
    Halted,
    /// (Member 0 only.) The team did not help: the others have stopped, and
    /// member 0 sweeps alone from sweep `from` on.
    Solo {
        from: u64,
    },
}

/// Sweeps after which member 0 judges, at every sweep, whether the team
/// helps. Early: a team that only waits (seen on two vCPUs, when the other
/// thread did not get a core) loses a sweep's time at each of them.
const SOLO_CHECK_SWEEPS: u64 = 2;

/// Interior spins updated between two looks at whether the rows of the next
/// stage can be fetched.
const CHUNK: usize = 32;

/// Ask the CPU to fetch `list`'s rows into this core's cache.
#[inline(always)]
fn prefetch<T>(rows: *const Lanes<T>, list: &[u32]) {
    #[cfg(target_arch = "x86_64")]
    for &r in list {
        for line in (0..std::mem::size_of::<Lanes<T>>()).step_by(64) {
            // SAFETY: every row of the list is < the state's length, and a
            // prefetch reads nothing the program sees.
            unsafe {
                let p = rows.add(r as usize).cast::<i8>().add(line);
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p);
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (rows, list);
}

/// Member `member`'s part of `sweeps` sweeps of the group in `rows` (laid
/// out by `plan.to_rows`); sweep t runs at `beta_of(t)` with keys
/// `keys_of(t)`. Member 0 also watches `stop`, and goes on alone when it has
/// spent more than a third of its time waiting for the others (a healthy
/// team waits 1-2 %).
///
/// # Safety
/// `rows` holds a row per row of `plan.model()` (`SharedRows::new`'s
/// contract), and every member of the team runs this with the same
/// arguments but `member`, each on its own thread.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub unsafe fn run_member<T: Real, const GIBBS: bool>(
    plan: &TeamPlan<T>,
    sync: &TeamSync,
    rows: SharedRows<T>,
    member: usize,
    sweeps: u64,
    beta_of: impl Fn(u64) -> Lanes<T>,
    keys_of: impl Fn(u64) -> Lanes<u32>,
    stop: &Stop,
) -> Outcome {
    // Every member but 0 counts itself out when it returns, however it
    // returns: member 0 waits for all of them before it sweeps alone.
    struct CountOut<'a>(&'a AtomicUsize, bool);
    impl Drop for CountOut<'_> {
        fn drop(&mut self) {
            if self.1 {
                self.0.fetch_add(1, Ordering::Release);
            }
        }
    }
    if member != 0 && !sync.join() {
        // Member 0 went on alone without waiting for this member.
        return Outcome::Finished;
    }
    let _count_out = CountOut(&sync.left, member != 0);
    if member != 0 && !sync.team_sweeps() {
        return Outcome::Finished;
    }
    let m = &plan.model;
    let classes = plan.classes();
    let parts = &plan.parts[member];
    let remote = &plan.remote[member];
    let team = plan.team();
    if member == 0 && !sync.gather_team(team) {
        // Some member did not come in time: those that did return at once.
        sync.wait_for_leavers();
        return Outcome::Solo { from: 0 };
    }
    let (mut waited, mut started) = (Duration::ZERO, Instant::now());
    let mut ahead = true;
    for t in 0..sweeps {
        if member == 0 {
            if stop.check().is_err() {
                sync.halt.store(true, Ordering::Relaxed);
                return Outcome::Halted;
            }
            if ((t >= SOLO_CHECK_SWEEPS && waited * 3 > started.elapsed()) || t == sync.solo_after)
                && sync.solo_stage.load(Ordering::Relaxed) == u64::MAX
            {
                // The others finish this sweep and stop at the next (they
                // see this store once they see this sweep's progress).
                sync.solo_stage.store((t + 1) * classes, Ordering::Relaxed);
            }
        }
        let (beta, keys) = (beta_of(t), keys_of(t));
        let mut needed = 0;
        for (c, (boundary, interior)) in parts.iter().enumerate() {
            let stage = t * classes + c as u64;
            match sync.wait(member, stage) {
                Some(w) => waited += w,
                None => return Outcome::Halted,
            }
            if member != 0 && stage >= sync.solo_stage.load(Ordering::Relaxed) {
                return Outcome::Finished;
            }
            // SAFETY: the spins of one class (no coupling inside) that this
            // member alone updates; their neighbours of other members are
            // at the state of the one-thread sweep: every other member has
            // finished its boundary spins of the earlier classes (the wait),
            // and starts those of the next class only after this member
            // says it is done with its own (below). `rows` holds every row.
            unsafe {
                needed += sweep_spins::<T, GIBBS>(m, boundary, &beta, rows.rows, &keys, ahead);
            }
            sync.done[member].0.store(stage + 1, Ordering::Release);
            // The interior spins read only this member's rows. Between chunks
            // of them, once the others are done with this stage's boundary
            // spins, fetch the rows the next stage's boundary spins will read
            // from them, so that they are here when needed.
            let next = &remote[(c + 1) % parts.len()];
            let mut fetched = next.is_empty();
            let mut rest = &interior[..];
            while !rest.is_empty() {
                // Once the rows are on their way, the rest in one go.
                let (chunk, tail) = rest.split_at(if fetched {
                    rest.len()
                } else {
                    CHUNK.min(rest.len())
                });
                rest = tail;
                // SAFETY: as above; these spins' neighbours are all this member's.
                unsafe {
                    needed += sweep_spins::<T, GIBBS>(m, chunk, &beta, rows.rows, &keys, ahead);
                }
                if !fetched && sync.ready(member, stage + 1) {
                    prefetch(rows.rows, next);
                    fetched = true;
                }
            }
        }
        ahead = 2 * needed * team > m.num_free();
        if t == 0 {
            // The first sweep waits for the other threads to start: not a
            // sign of a busy machine.
            (waited, started) = (Duration::ZERO, Instant::now());
        }
        if member == 0 && sync.solo_stage.load(Ordering::Relaxed) == (t + 1) * classes {
            // Wait for the others to stop, then the rows are member 0's.
            sync.wait_for_leavers();
            return Outcome::Solo { from: t + 1 };
        }
    }
    Outcome::Finished
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::IsingGraph;
    use crate::kernel::lane_sweep_ahead;
    use crate::rng::{ReadKeys, Xoshiro256};

    /// A Chimera-like grid of 4 x 4-spin cells (each cell a complete
    /// bipartite K4,4, cells coupled to their right and lower neighbours),
    /// its spins numbered in a random order when `shuffle` (as models whose
    /// spins come chain by chain), some of them fixed.
    fn grid(side: usize, shuffle: bool) -> (IsingGraph, Vec<i8>) {
        let mut rng = Xoshiro256::for_stream(21, side as u64);
        let n = side * side * 8;
        let mut label: Vec<usize> = (0..n).collect();
        if shuffle {
            for k in (1..n).rev() {
                label.swap(k, rng.below(k as u64 + 1) as usize);
            }
        }
        let q = |r: usize, c: usize, shore: usize, k: usize| {
            label[((r * side + c) * 2 + shore) * 4 + k]
        };
        let (mut ir, mut ic, mut j) = (vec![], vec![], vec![]);
        let mut add = |a: usize, b: usize, rng: &mut Xoshiro256| {
            ir.push(a as i64);
            ic.push(b as i64);
            j.push(rng.next_f64() * 2.0 - 1.0);
        };
        for r in 0..side {
            for c in 0..side {
                for a in 0..4 {
                    for b in 0..4 {
                        add(q(r, c, 0, a), q(r, c, 1, b), &mut rng);
                    }
                    if r + 1 < side {
                        add(q(r, c, 0, a), q(r + 1, c, 0, a), &mut rng);
                    }
                    if c + 1 < side {
                        add(q(r, c, 1, a), q(r, c + 1, 1, a), &mut rng);
                    }
                }
            }
        }
        let h: Vec<f64> = (0..n).map(|_| rng.next_f64() - 0.5).collect();
        let mut fixed = vec![0i8; n];
        for f in fixed.iter_mut().step_by(37) {
            *f = if rng.spin() > 0 { 1 } else { -1 };
        }
        (IsingGraph::new(&h, &ir, &ic, &j).unwrap(), fixed)
    }

    /// `sweeps` sweeps of a group by a team of `team`, member 0 handing
    /// over to itself alone after sweep `solo_after`; the final state. With
    /// `late`, the other members come only once member 0 has returned (as
    /// on a busy pool).
    fn by_team<T: Real, const GIBBS: bool>(
        m: &KernelModel<T>,
        start: &[Lanes<T>],
        team: usize,
        sweeps: u64,
        solo_after: u64,
        late: bool,
    ) -> Vec<Lanes<T>> {
        let plan = TeamPlan::new(m, team);
        let mut rows = plan.to_rows(start).unwrap();
        let mut sync = TeamSync::new(team);
        sync.solo_after = solo_after;
        let keys: Vec<ReadKeys> = (0..LANES as u64).map(|r| ReadKeys::new(8, r)).collect();
        let keys_of = |t: u64| -> Lanes<u32> { std::array::from_fn(|l| keys[l].sweep(t)) };
        let beta_of = |t: u64| [plan.model().beta(0.05 * t as f64); LANES];
        // SAFETY: `rows` outlives the scope and only the members use it.
        let shared = unsafe { SharedRows::new(&mut rows) };
        let (plan, sync) = (&plan, &sync);
        // SAFETY: every member runs with the same arguments.
        let member = move |k: usize| unsafe {
            run_member::<T, GIBBS>(
                plan,
                sync,
                shared,
                k,
                sweeps,
                beta_of,
                keys_of,
                Stop::never(),
            )
        };
        let outcome = std::thread::scope(|scope| {
            if !late {
                for k in 1..team {
                    scope.spawn(move || member(k));
                }
            }
            member(0)
        });
        if late {
            assert_eq!(outcome, Outcome::Solo { from: 0 });
            for k in 1..team {
                assert_eq!(member(k), Outcome::Finished);
            }
        }
        if let Outcome::Solo { from } = outcome {
            for t in from..sweeps {
                lane_sweep_ahead::<T, GIBBS>(
                    plan.model(),
                    &beta_of(t),
                    &mut rows,
                    &keys_of(t),
                    false,
                );
            }
        } else {
            assert_eq!(outcome, Outcome::Finished);
        }
        let mut out = start.to_vec();
        plan.from_rows(&rows, &mut out);
        out
    }

    fn by_one<T: Real, const GIBBS: bool>(
        m: &KernelModel<T>,
        start: &[Lanes<T>],
        sweeps: u64,
    ) -> Vec<Lanes<T>> {
        let keys: Vec<ReadKeys> = (0..LANES as u64).map(|r| ReadKeys::new(8, r)).collect();
        let mut state = start.to_vec();
        for t in 0..sweeps {
            let k: Lanes<u32> = std::array::from_fn(|l| keys[l].sweep(t));
            lane_sweep_ahead::<T, GIBBS>(
                m,
                &[m.beta(0.05 * t as f64); LANES],
                &mut state,
                &k,
                true,
            );
        }
        state
    }

    fn check<T: Real, const GIBBS: bool>(g: &IsingGraph, fixed: &[i8]) {
        let m = KernelModel::<T>::new(g, Some(fixed)).unwrap();
        let mut rng = Xoshiro256::for_stream(5, 5);
        let start: Vec<Lanes<T>> = (0..m.num_spins())
            .map(|i| match fixed[i] {
                0 => std::array::from_fn(|_| T::ONE.flip_if(rng.spin() < 0)),
                v => [T::ONE.flip_if(v < 0); LANES],
            })
            .collect();
        let sweeps = 40;
        let one = by_one::<T, GIBBS>(&m, &start, sweeps);
        let bits = |s: &[Lanes<T>]| -> Vec<u64> {
            s.iter().flatten().map(|v| v.to_f64().to_bits()).collect()
        };
        for team in [2, 3] {
            for solo_after in [u64::MAX, 0, 11, sweeps - 1] {
                let got = by_team::<T, GIBBS>(&m, &start, team, sweeps, solo_after, false);
                assert_eq!(
                    bits(&one),
                    bits(&got),
                    "team {team}, solo after {solo_after}"
                );
            }
            let got = by_team::<T, GIBBS>(&m, &start, team, sweeps, u64::MAX, true);
            assert_eq!(bits(&one), bits(&got), "team {team}, the others late");
        }
    }

    /// A team's sweeps are the one-thread sweeps bit for bit: both label
    /// orders (index runs and breadth-first runs), fixed spins, two and three
    /// members, both rules and precisions, member 0 going on alone after any
    /// sweep, and member 0 going on alone from the start when the others do
    /// not come (they then leave the rows alone).
    #[test]
    fn team_sweeps_are_the_one_thread_sweeps() {
        for shuffle in [false, true] {
            let (g, fixed) = grid(6, shuffle);
            check::<f32, false>(&g, &fixed);
            check::<f32, true>(&g, &fixed);
            check::<f64, false>(&g, &fixed);
        }
    }

    /// The plan keeps boundaries short: a grid cut in two leaves few spins
    /// on the boundary, also when its labels are shuffled.
    #[test]
    fn plans_keep_boundaries_short() {
        for shuffle in [false, true] {
            let (g, _) = grid(12, shuffle);
            let m = KernelModel::<f32>::new(&g, None).unwrap();
            let plan = TeamPlan::new(&m, 2);
            assert!(
                plan.boundary_spins() * 5 < m.num_free(),
                "shuffle {shuffle}: {} of {} spins on the boundary",
                plan.boundary_spins(),
                m.num_free()
            );
        }
    }
}
