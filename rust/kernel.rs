//! The shared sweep kernel: single-spin Metropolis or Gibbs updates of Ising
//! models, in SIMD lanes, used by every sampler of the core.
//!
//! Two ways to fill the lanes give the same samples bit for bit:
//! - `lane_sweep`: `LANES` chains (reads, replicas) side by side, one per lane
//!   (`state[i][lane]`); every lane visits the spins in the same order.
//! - `spin_sweep`: one chain, the spins of a colour class (no coupling inside
//!   a class) updated `LANES` at a time — what makes one read fast.
//!
//! Both visit the free spins class by class (the order of
//! `IsingGraph::colour_classes`), sum a spin's field in the same order, and
//! draw the uniform of spin i in sweep t of chain r from a counter-based hash
//! of (key(r, t), salt(i)) — so which lanes share a vector, which thread runs
//! them, and how reads are split between calls never changes a sample.
//!
//! Acceptance (rust/acceptance.rs) compares the uniform with e^-x (Metropolis)
//! or 1 / (1 + e^x) (Gibbs), x = beta dE. Outside a range of x the outcome is
//! the same for every uniform, so the hash and the exponential are skipped
//! when no lane of a vector needs them (most of a cold sweep).
//!
//! Precision: the model is divided by its largest |bias| (the distribution
//! depends only on beta E, so beta is multiplied by the same factor), which
//! keeps any finite model inside the float range; single precision is used
//! only when its rounding cannot move beta dE by more than `TOLERANCE` at the
//! coldest beta, otherwise double. No fused multiply-add anywhere: the
//! baseline, AVX2 and AVX-512 builds give bit-identical samples.

use std::ops::{Add, Mul};
use std::sync::OnceLock;

use crate::acceptance::{accepts, range};
use crate::error::{Error, Result};
use crate::graph::IsingGraph;
use crate::rng::{flip_uniform, spin_salt};

/// Chains (or spins) per SIMD group.
pub const LANES: usize = 16;
pub type Lanes<T> = [T; LANES];

/// One lane row on a cache line of its own (64 bytes for `f32`, two lines
/// for `f64`): a row split across two lines costs two loads on every visit,
/// and between the threads of a team a shared line would be written by both.
#[repr(C, align(64))]
#[derive(Clone, Copy)]
struct AlignedRow<T>(Lanes<T>);

/// A state of lane rows, each cache-line aligned, used as `[Lanes<T>]`.
pub struct LaneRows<T> {
    rows: Vec<AlignedRow<T>>,
}

impl<T: Real> LaneRows<T> {
    /// `len` rows of `value`, or an `OutOfMemory` error naming `parameter`.
    pub fn filled(parameter: &'static str, len: usize, value: Lanes<T>) -> Result<Self> {
        // The rows are read as `[Lanes<T>]`: no padding may sit between them.
        assert_eq!(
            std::mem::size_of::<AlignedRow<T>>(),
            std::mem::size_of::<Lanes<T>>()
        );
        Ok(LaneRows {
            rows: crate::resources::try_filled(parameter, "SIMD state", len, AlignedRow(value))?,
        })
    }
}

impl<T> std::ops::Deref for LaneRows<T> {
    type Target = [Lanes<T>];
    fn deref(&self) -> &[Lanes<T>] {
        // SAFETY: `AlignedRow<T>` is `repr(C)` around one `Lanes<T>` and of
        // the same size (checked in `filled`), so the rows are a valid slice
        // of `Lanes<T>`.
        unsafe { std::slice::from_raw_parts(self.rows.as_ptr().cast(), self.rows.len()) }
    }
}

impl<T> std::ops::DerefMut for LaneRows<T> {
    fn deref_mut(&mut self) -> &mut [Lanes<T>] {
        // SAFETY: as in `deref`, with the exclusive borrow of the rows.
        unsafe { std::slice::from_raw_parts_mut(self.rows.as_mut_ptr().cast(), self.rows.len()) }
    }
}

/// Largest change of beta dE that single-precision rounding may cause.
pub const TOLERANCE: f64 = 1e-3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acceptance {
    Metropolis,
    Gibbs,
}

/// What the caller asks for; `Auto` decides from the model and the schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrecisionRequest {
    Auto,
    Single,
    Double,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    Single,
    Double,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::Single => "single",
            Precision::Double => "double",
        }
    }
}

/// The float types the kernel runs in.
pub trait Real:
    Copy + Send + Sync + PartialOrd + Default + Add<Output = Self> + Mul<Output = Self> + 'static
{
    const ZERO: Self;
    const ONE: Self;
    const MINUS_TWO: Self;
    const MAX: Self;
    const INFINITY: Self;
    fn from_f64(x: f64) -> Self;
    fn from_f32(x: f32) -> Self;
    fn to_f32(self) -> f32;
    fn to_f64(self) -> f64;
    /// The value with its sign flipped when `flip` (by the sign bit: branch-free).
    fn flip_if(self, flip: bool) -> Self;
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const MINUS_TWO: Self = -2.0;
    const MAX: Self = f32::MAX;
    const INFINITY: Self = f32::INFINITY;
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn from_f32(x: f32) -> Self {
        x
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn flip_if(self, flip: bool) -> Self {
        f32::from_bits(self.to_bits() ^ ((flip as u32) << 31))
    }
}

impl Real for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const MINUS_TWO: Self = -2.0;
    const MAX: Self = f64::MAX;
    const INFINITY: Self = f64::INFINITY;
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn from_f32(x: f32) -> Self {
        x as f64
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn flip_if(self, flip: bool) -> Self {
        f64::from_bits(self.to_bits() ^ ((flip as u64) << 63))
    }
}

/// The instruction set the kernel runs with on this CPU; `QSAMPLE_SIMD`
/// (`baseline`, `avx2`) caps it, so the builds can be compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SimdLevel {
    Baseline,
    Avx2,
    Avx512,
}

impl SimdLevel {
    pub fn name(self) -> &'static str {
        match self {
            SimdLevel::Baseline => "baseline",
            SimdLevel::Avx2 => "avx2",
            SimdLevel::Avx512 => "avx512",
        }
    }
}

pub fn simd_level() -> SimdLevel {
    static LEVEL: OnceLock<SimdLevel> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        #[allow(unused_mut)]
        let mut level = SimdLevel::Baseline;
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                level = SimdLevel::Avx2;
            }
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512vl")
            {
                level = SimdLevel::Avx512;
            }
        }
        let cap = match std::env::var("QSAMPLE_SIMD").as_deref() {
            Ok("baseline") => SimdLevel::Baseline,
            Ok("avx2") => SimdLevel::Avx2,
            _ => SimdLevel::Avx512,
        };
        level.min(cap)
    })
}

/// Define `$name` to run `$body` compiled for the best instruction set the
/// CPU has (AVX-512, AVX2 or baseline x86-64), picked at run time. The body
/// and everything it calls must be `#[inline(always)]` to be compiled for
/// each.
macro_rules! multiversion {
    ($(#[$meta:meta])* $vis:vis fn $name:ident [$($decl:tt)*] [$($targs:tt)*]
     ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty => $body:ident) => {
        $(#[$meta])*
        $vis fn $name<$($decl)*>($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2")]
                unsafe fn avx512<$($decl)*>($($arg: $ty),*) -> $ret {
                    $body::<$($targs)*>($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2<$($decl)*>($($arg: $ty),*) -> $ret {
                    $body::<$($targs)*>($($arg),*)
                }
                match $crate::kernel::simd_level() {
                    // SAFETY: simd_level checked that the CPU has these features.
                    $crate::kernel::SimdLevel::Avx512 => {
                        return unsafe { avx512::<$($targs)*>($($arg),*) }
                    }
                    $crate::kernel::SimdLevel::Avx2 => {
                        return unsafe { avx2::<$($targs)*>($($arg),*) }
                    }
                    $crate::kernel::SimdLevel::Baseline => {}
                }
            }
            $body::<$($targs)*>($($arg),*)
        }
    };
}
pub(crate) use multiversion;

/// The model as the sweeps read it: biases divided by `scale`, in `T`, in CSR
/// order, with the visiting order of the free spins.
pub struct KernelModel<T> {
    n: usize,
    scale: f64,
    h: Vec<T>,
    offsets: Vec<u32>,
    nbr: Vec<u32>,
    w: Vec<T>,
    salt: Vec<u32>,
    /// Free spins, class after class.
    order: Vec<u32>,
    class_starts: Vec<usize>,
    fixed: Option<Vec<i8>>,
}

impl<T: Real> KernelModel<T> {
    pub fn new(graph: &IsingGraph, fixed: Option<&[i8]>) -> Result<Self> {
        let n = graph.num_spins();
        if let Some(f) = fixed {
            check_fixed(f, n)?;
        }
        let max = graph.max_abs_bias();
        let scale = if max > 0.0 { max } else { 1.0 };
        let (order, class_starts) = graph.colour_classes(fixed);
        Ok(KernelModel {
            n,
            scale,
            h: graph.h().iter().map(|&v| T::from_f64(v / scale)).collect(),
            offsets: graph.offsets().to_vec(),
            nbr: graph.neighbours().to_vec(),
            w: graph
                .slot_couplings()
                .map(|v| T::from_f64(v / scale))
                .collect(),
            salt: (0..n as u32).map(spin_salt).collect(),
            order,
            class_starts,
            fixed: fixed.map(|f| f.to_vec()),
        })
    }

    pub fn num_spins(&self) -> usize {
        self.n
    }

    /// The same model with spin i stored in row `row_of[i]` of a state of
    /// `rows` rows: the rows no spin takes are spins without field or
    /// coupling that are never visited. Each spin keeps its uniforms (its
    /// salt), its neighbours in the same order and its place in the visiting
    /// order, so a sweep of the rows makes the same decisions.
    pub fn relabelled(&self, row_of: &[u32], rows: usize) -> KernelModel<T> {
        let mut spin_at = vec![u32::MAX; rows];
        for (i, &r) in row_of.iter().enumerate() {
            spin_at[r as usize] = i as u32;
        }
        let mut m = KernelModel {
            n: rows,
            scale: self.scale,
            h: vec![T::ZERO; rows],
            offsets: Vec::with_capacity(rows + 1),
            nbr: Vec::with_capacity(self.nbr.len()),
            w: Vec::with_capacity(self.w.len()),
            salt: vec![0; rows],
            order: self.order.iter().map(|&i| row_of[i as usize]).collect(),
            class_starts: self.class_starts.clone(),
            fixed: self.fixed.as_ref().map(|f| {
                let mut g = vec![0i8; rows];
                for (i, &v) in f.iter().enumerate() {
                    g[row_of[i] as usize] = v;
                }
                g
            }),
        };
        m.offsets.push(0);
        for &i in &spin_at {
            if i != u32::MAX {
                let i = i as usize;
                let r = row_of[i] as usize;
                m.h[r] = self.h[i];
                m.salt[r] = self.salt[i];
                for slot in self.offsets[i] as usize..self.offsets[i + 1] as usize {
                    m.nbr.push(row_of[self.nbr[slot] as usize]);
                    m.w.push(self.w[slot]);
                }
            }
            m.offsets.push(m.nbr.len() as u32);
        }
        m
    }

    pub fn num_free(&self) -> usize {
        self.order.len()
    }

    pub fn free_spins(&self) -> &[u32] {
        &self.order
    }

    /// The fixed value of spin i (0 when free).
    pub fn fixed_value(&self, i: usize) -> i8 {
        self.fixed.as_ref().map_or(0, |f| f[i])
    }

    /// beta for the normalised model: beta * scale. An infinite beta stays
    /// infinite: a strict zero-temperature quench (dE < 0 flips; dE = 0 gives
    /// beta dE = NaN, which never flips), as in dwave-samplers. A finite
    /// beta whose product overflows `T` becomes the largest finite value,
    /// which keeps dE = 0 moves (beta dE = 0) as at any finite beta.
    #[inline]
    pub fn beta(&self, beta: f64) -> T {
        if beta == f64::INFINITY {
            return T::INFINITY;
        }
        let b = T::from_f64(beta * self.scale);
        if b < T::MAX {
            b
        } else {
            T::MAX
        }
    }

    /// Local field of spin i for one chain whose state is `s` (all spins).
    #[inline(always)]
    pub fn field_of(&self, i: usize, s: &[T]) -> T {
        let (lo, hi) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        let mut f = self.h[i];
        for (&j, &w) in self.nbr[lo..hi].iter().zip(&self.w[lo..hi]) {
            f = f + w * s[j as usize];
        }
        f
    }

    /// The free spins class by class (no coupling inside a class), in the
    /// order the sweeps visit them.
    pub fn colour_classes(&self) -> impl Iterator<Item = &[u32]> + '_ {
        self.class_starts
            .windows(2)
            .map(|w| &self.order[w[0]..w[1]])
    }

    /// The tables the sweeps read, for sweep variants defined in other files
    /// (they must read them as `lane_sweep` does to sample the same model).
    pub fn tables(&self) -> KernelTables<'_, T> {
        KernelTables {
            h: &self.h,
            offsets: &self.offsets,
            neighbours: &self.nbr,
            weights: &self.w,
            salts: &self.salt,
            order: &self.order,
        }
    }

    /// Cost of one sweep of a lane group, in neighbour visits, and of one
    /// read of the spin-parallel kernel: used to pick the cheaper one.
    pub fn lane_sweep_cost(&self) -> f64 {
        self.order
            .iter()
            .map(|&i| (self.offsets[i as usize + 1] - self.offsets[i as usize]) as f64 + 4.0)
            .sum()
    }
}

/// A read-only view of a `KernelModel`: normalised fields, CSR couplings,
/// the uniform salt of every spin and the visiting order of the free spins.
pub struct KernelTables<'a, T> {
    pub h: &'a [T],
    pub offsets: &'a [u32],
    pub neighbours: &'a [u32],
    pub weights: &'a [T],
    pub salts: &'a [u32],
    pub order: &'a [u32],
}

fn check_fixed(f: &[i8], n: usize) -> Result<()> {
    if f.len() != n {
        return Err(Error::shape(
            "fixed_variables",
            format!("expected {n} values, got {}", f.len()),
        ));
    }
    if let Some(k) = f.iter().position(|&v| !(v == 0 || v == 1 || v == -1)) {
        return Err(Error::value(
            "fixed_variables",
            format!("must be +1 or -1 (0 = free): spin {k} is {}", f[k]),
        ));
    }
    Ok(())
}

/// Single or double precision for this model up to inverse temperature
/// `beta_max`: single only if its rounding of the normalised biases and of
/// the field sums cannot move beta dE by more than `TOLERANCE`.
pub fn choose_precision(graph: &IsingGraph, beta_max: f64, request: PrecisionRequest) -> Precision {
    match request {
        PrecisionRequest::Single => return Precision::Single,
        PrecisionRequest::Double => return Precision::Double,
        PrecisionRequest::Auto => {}
    }
    let max = graph.max_abs_bias();
    if max == 0.0 || beta_max == 0.0 {
        return Precision::Single;
    }
    let unit = (f32::EPSILON / 2.0) as f64; // 2^-24, the unit roundoff
    let offsets = graph.offsets();
    let nbr_w: Vec<f64> = graph.slot_couplings().map(|v| v / max).collect();
    let mut worst = 0.0f64;
    for (i, &h) in graph.h().iter().enumerate() {
        let h = h / max;
        let (lo, hi) = (offsets[i] as usize, offsets[i + 1] as usize);
        let mut rep = (h - (h as f32) as f64).abs();
        let mut total = h.abs();
        for &w in &nbr_w[lo..hi] {
            rep += (w - (w as f32) as f64).abs();
            total += w.abs();
        }
        // Representation error plus the bound on rounding a sum of deg + 1
        // terms (each addition may lose a unit roundoff of the running total).
        let err = rep + (hi - lo + 1) as f64 * unit * total;
        worst = worst.max(err);
    }
    // dE = -2 s field: twice the field's error, in the model's units.
    let change = 2.0 * worst * max * beta_max;
    if change <= TOLERANCE {
        Precision::Single
    } else {
        Precision::Double
    }
}

/// beta dE for a flip of a spin whose value is `s` in a field `field`.
#[inline(always)]
fn flip_energy<T: Real>(beta: T, s: T, field: T) -> T {
    beta * ((T::MINUS_TWO * s) * field)
}

/// One sweep of `LANES` chains, drawing uniforms only where needed (see
/// `lane_sweep_ahead`, which also draws them ahead in warm sweeps).
#[inline(always)]
pub fn lane_sweep<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    beta: &Lanes<T>,
    state: &mut [Lanes<T>],
    keys: &Lanes<u32>,
) {
    lane_sweep_ahead::<T, GIBBS>(m, beta, state, keys, false);
}

/// Below the first bound a flip is always taken, from the second on never; in
/// between it depends on the uniform (see `acceptance`).
#[inline(always)]
pub(crate) fn bounds<T: Real, const GIBBS: bool>() -> (T, T) {
    let (lo, hi) = range::<GIBBS>();
    (T::from_f32(lo), T::from_f32(hi))
}

/// The flip decisions of 16 lanes with beta dE `x`, uniforms `u` (read only
/// for lanes inside the bounds). A NaN x (dE = 0 at beta = inf) never flips.
#[inline(always)]
pub(crate) fn decide<T: Real, const GIBBS: bool>(x: &Lanes<T>, u: &Lanes<f32>) -> Lanes<bool> {
    let (lo, hi) = bounds::<T, GIBBS>();
    let mut flip = [false; LANES];
    // Plain lane loops (not iterator adaptors) are what the compiler vectorises.
    for l in 0..LANES {
        let inside = (x[l] >= lo) & (x[l] < hi);
        flip[l] = (x[l] < lo) | (inside & accepts::<GIBBS>(x[l].to_f32(), u[l]));
    }
    flip
}

/// acc += w * s, lane by lane (one vector multiply and add).
#[inline(always)]
pub(crate) fn add_scaled<T: Real>(acc: &mut Lanes<T>, w: T, s: &Lanes<T>) {
    for l in 0..LANES {
        acc[l] = acc[l] + w * s[l];
    }
}

/// Spins whose uniforms are drawn ahead in one batch: independent chains of
/// arithmetic that the CPU overlaps.
pub(crate) const AHEAD: usize = 8;

/// The uniforms of the 16 lanes for one spin (salt), from the lanes' sweep keys.
#[inline(always)]
pub(crate) fn lane_uniforms(keys: &Lanes<u32>, salt: u32) -> Lanes<f32> {
    let mut u = [0f32; LANES];
    for l in 0..LANES {
        u[l] = flip_uniform(keys[l], salt);
    }
    u
}

/// One sweep of `LANES` chains over the free spins, chain `l` at inverse
/// temperature `beta[l]` (normalised: from `KernelModel::beta`) with sweep
/// key `keys[l]`. With `ahead`, uniforms are drawn for blocks of spins
/// before they are visited (fast when most are needed, as in a warm sweep);
/// without, only when some lane of a spin needs one (fast in a cold sweep).
/// Uniforms are pure functions of (key, spin), so both give the same
/// samples. Returns how many spins needed uniforms: the caller's guide for
/// the next sweep's `ahead`.
#[inline(always)]
pub fn lane_sweep_ahead<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    beta: &Lanes<T>,
    state: &mut [Lanes<T>],
    keys: &Lanes<u32>,
    ahead: bool,
) -> usize {
    assert!(state.len() >= m.n, "state must hold every spin");
    // SAFETY: asserted above; the exclusive borrow keeps every other access out.
    unsafe { sweep_spins::<T, GIBBS>(m, &m.order, beta, state.as_mut_ptr(), keys, ahead) }
}

/// Whether the AVX-512 code written for the float type `U` runs a kernel in
/// `T`: `T` is `U` and the CPU has AVX-512.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn avx512_runs<T: 'static, U: 'static>() -> bool {
    std::any::TypeId::of::<T>() == std::any::TypeId::of::<U>() && simd_level() == SimdLevel::Avx512
}

/// `x` under the name of its own type (`Lanes<T>` as `Lanes<f32>` when T
/// is f32).
///
/// # Safety
/// `A` and `B` are the same type.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn same<A, B>(x: &A) -> &B {
    // SAFETY: the caller's contract.
    unsafe { &*(x as *const A).cast::<B>() }
}

/// `same` for an exclusive borrow.
///
/// # Safety
/// `A` and `B` are the same type.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn same_mut<A, B>(x: &mut A) -> &mut B {
    // SAFETY: the caller's contract.
    unsafe { &mut *(x as *mut A).cast::<B>() }
}

/// Update `spins` in this order in every lane (see `lane_sweep_ahead` for
/// `ahead`); returns how many needed uniforms. Runs the AVX-512 code of
/// rust/kernel_avx512.rs where the CPU has it (the same samples).
///
/// # Safety
/// That of `update_lanes_at`, for every spin of `spins`.
#[inline(always)]
pub(crate) unsafe fn sweep_spins<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    spins: &[u32],
    beta: &Lanes<T>,
    state: *mut Lanes<T>,
    keys: &Lanes<u32>,
    ahead: bool,
) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use crate::kernel_avx512 as avx512;
        let tables = m.tables();
        // SAFETY: `avx512_runs::<T, U>` checked that T is U (so the casts
        // change no type) and that the CPU has AVX-512; the caller's
        // contract is passed on.
        unsafe {
            if avx512_runs::<T, f32>() {
                let (tables, beta) = (same(&tables), same(beta));
                return avx512::sweep_spins::<GIBBS>(
                    tables,
                    spins,
                    beta,
                    state.cast(),
                    keys,
                    ahead,
                );
            }
            if avx512_runs::<T, f64>() {
                let (tables, beta) = (same(&tables), same(beta));
                return avx512::sweep_spins_f64::<GIBBS>(
                    tables,
                    spins,
                    beta,
                    state.cast(),
                    keys,
                    ahead,
                );
            }
        }
    }
    // SAFETY: the caller's contract.
    unsafe { sweep_spins_generic::<T, GIBBS>(m, spins, beta, state, keys, ahead) }
}

/// `sweep_spins` as the compiler vectorises it (the reference the AVX-512
/// code is tested against).
///
/// # Safety
/// That of `sweep_spins`.
#[inline(always)]
pub(crate) unsafe fn sweep_spins_generic<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    spins: &[u32],
    beta: &Lanes<T>,
    state: *mut Lanes<T>,
    keys: &Lanes<u32>,
    ahead: bool,
) -> usize {
    let mut needed = 0;
    if ahead {
        let mut u = [[0f32; LANES]; AHEAD];
        for block in spins.chunks(AHEAD) {
            for (k, &i) in block.iter().enumerate() {
                // SAFETY: every spin index of a model is < n = salt.len().
                let salt = unsafe { *m.salt.get_unchecked(i as usize) };
                u[k] = lane_uniforms(keys, salt);
            }
            for (k, &i) in block.iter().enumerate() {
                // SAFETY: the caller's contract.
                needed +=
                    unsafe { update_lanes_at::<T, GIBBS>(m, i as usize, beta, state, |_| u[k]) }
                        as usize;
            }
        }
    } else {
        for &i in spins {
            // SAFETY: the caller's contract.
            needed += unsafe {
                update_lanes_at::<T, GIBBS>(m, i as usize, beta, state, |salt| {
                    lane_uniforms(keys, salt)
                })
            } as usize;
        }
    }
    needed
}

/// Update spin i in every lane; `uniforms(salt)` is called only when some
/// lane's outcome depends on its draw. Returns whether it was called.
///
/// # Safety
/// `state` points to a row per spin of `m`; while this runs nobody else
/// writes the rows of spin i's neighbours nor touches the row of spin i
/// (threads sharing one group update disjoint spins of one colour class,
/// which has no coupling inside).
#[inline(always)]
unsafe fn update_lanes_at<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    i: usize,
    beta: &Lanes<T>,
    state: *mut Lanes<T>,
    uniforms: impl FnOnce(u32) -> Lanes<f32>,
) -> bool {
    let (lo_t, hi_t) = bounds::<T, GIBBS>();
    // SAFETY: `KernelModel::new` took `order`, `offsets`, `nbr`, `h`, `w` and
    // `salt` from a valid graph of n spins (every index < n, the offsets
    // increasing and within `nbr`), i is one of its spins, and the caller's
    // contract covers `state`. Unchecked access keeps the bounds checks out
    // of the hottest loop of the crate.
    unsafe {
        let (lo, hi) = (
            *m.offsets.get_unchecked(i) as usize,
            *m.offsets.get_unchecked(i + 1) as usize,
        );
        let nbr = m.nbr.get_unchecked(lo..hi);
        let w = m.w.get_unchecked(lo..hi);
        // The field in neighbour order; the spin-parallel kernel sums in the
        // same order. (Spins of a colour class do not depend on each other,
        // so the CPU overlaps the additions of consecutive spins.)
        let mut field = [*m.h.get_unchecked(i); LANES];
        for (&j, &wj) in nbr.iter().zip(w) {
            add_scaled(&mut field, wj, &*state.add(j as usize));
        }
        let salt = *m.salt.get_unchecked(i);
        let si = &mut *state.add(i);
        let s: Lanes<T> = *si;
        let mut x = [T::ZERO; LANES];
        let mut undecided = false;
        for l in 0..LANES {
            x[l] = flip_energy(beta[l], s[l], field[l]);
            undecided |= (x[l] >= lo_t) & (x[l] < hi_t);
        }
        let flip: Lanes<bool> = if undecided {
            decide::<T, GIBBS>(&x, &uniforms(salt))
        } else {
            let mut f = [false; LANES];
            for l in 0..LANES {
                f[l] = x[l] < lo_t;
            }
            f
        };
        // Always store the whole row: a masked store would stall the next
        // spin's loads.
        for l in 0..LANES {
            si[l] = s[l].flip_if(flip[l]);
        }
        undecided
    }
}

/// The colour classes cut into groups of up to `LANES` spins, each with its
/// neighbour lists padded to the group's largest degree (padding reads a
/// dummy spin, index n, with weight 0): the tables of `spin_sweep`.
pub struct SpinGroups<T> {
    /// (first row of `nbr`/`w`, number of neighbour rows, number of real spins).
    groups: Vec<(usize, usize, usize)>,
    spins: Vec<Lanes<u32>>,
    h: Vec<Lanes<T>>,
    salt: Vec<Lanes<u32>>,
    nbr: Vec<Lanes<u32>>,
    w: Vec<Lanes<T>>,
    /// Neighbour rows visited per sweep (the cost of one read).
    rows: usize,
}

impl<T: Real> SpinGroups<T> {
    pub fn new(m: &KernelModel<T>) -> Self {
        let dummy = m.n as u32;
        let mut g = SpinGroups {
            groups: Vec::new(),
            spins: Vec::new(),
            h: Vec::new(),
            salt: Vec::new(),
            nbr: Vec::new(),
            w: Vec::new(),
            rows: 0,
        };
        for c in 0..m.class_starts.len().saturating_sub(1) {
            let class = &m.order[m.class_starts[c]..m.class_starts[c + 1]];
            for chunk in class.chunks(LANES) {
                let deg = |i: u32| (m.offsets[i as usize + 1] - m.offsets[i as usize]) as usize;
                let max_deg = chunk.iter().map(|&i| deg(i)).max().unwrap_or(0);
                let first_row = g.nbr.len();
                let mut spins = [dummy; LANES];
                let mut h = [T::ZERO; LANES];
                let mut salt = [0u32; LANES];
                for (l, &i) in chunk.iter().enumerate() {
                    spins[l] = i;
                    h[l] = m.h[i as usize];
                    salt[l] = m.salt[i as usize];
                }
                for k in 0..max_deg {
                    let mut nb = [dummy; LANES];
                    let mut w = [T::ZERO; LANES];
                    for (l, &i) in chunk.iter().enumerate() {
                        if k < deg(i) {
                            let slot = m.offsets[i as usize] as usize + k;
                            nb[l] = m.nbr[slot];
                            w[l] = m.w[slot];
                        }
                    }
                    g.nbr.push(nb);
                    g.w.push(w);
                }
                g.groups.push((first_row, max_deg, chunk.len()));
                g.spins.push(spins);
                g.h.push(h);
                g.salt.push(salt);
                g.rows += max_deg + 4;
            }
        }
        g
    }

    /// Cost of one sweep of one read, in the units of `lane_sweep_cost`.
    pub fn read_sweep_cost(&self) -> f64 {
        // A gathered row costs about as much as eight broadcast rows.
        8.0 * self.rows as f64
    }
}

/// One sweep of a single chain (`state` holds the n spins and a trailing
/// dummy +1), colour class by class, `LANES` spins at a time; same samples as
/// `lane_sweep` for the same key.
#[inline(always)]
pub fn spin_sweep<T: Real, const GIBBS: bool>(
    g: &SpinGroups<T>,
    beta: T,
    state: &mut [T],
    key: u32,
) {
    let (lo_t, hi_t) = bounds::<T, GIBBS>();
    for (q, &(first, rows, count)) in g.groups.iter().enumerate() {
        let mut field = g.h[q];
        for r in first..first + rows {
            let (nr, wr) = (&g.nbr[r], &g.w[r]);
            for l in 0..LANES {
                field[l] = field[l] + wr[l] * state[nr[l] as usize];
            }
        }
        let spins = &g.spins[q];
        let mut s = [T::ZERO; LANES];
        let mut x = [T::ZERO; LANES];
        let mut undecided = false;
        for l in 0..LANES {
            s[l] = state[spins[l] as usize];
            x[l] = flip_energy(beta, s[l], field[l]);
            undecided |= (x[l] >= lo_t) & (x[l] < hi_t);
        }
        let flip: Lanes<bool> = if undecided {
            let salt = &g.salt[q];
            let mut u = [0f32; LANES];
            for l in 0..LANES {
                u[l] = flip_uniform(key, salt[l]);
            }
            decide::<T, GIBBS>(&x, &u)
        } else {
            let mut f = [false; LANES];
            for l in 0..LANES {
                f[l] = x[l] < lo_t;
            }
            f
        };
        for l in 0..count {
            state[spins[l] as usize] = s[l].flip_if(flip[l]);
        }
    }
}

// -- Generalised lane sweeps (parallel tempering, path-integral SQA) ----------

impl<T: Real> KernelModel<T> {
    /// The largest |bias| the model was divided by (1 for a model without
    /// biases): energies in the kernel's units times `scale` are the model's.
    pub fn scale(&self) -> f64 {
        self.scale
    }
}

/// Coupling of every spin to the same spin in two other copies of the system
/// (the neighbouring Trotter slices of path-integral SQA): rows `above` and
/// `below` are laid out as the swept `state`, and `strength[l]` multiplies
/// their sum in lane `l`, in units of beta dE (a ferromagnetic coupling is
/// negative: `-J_perp`).
pub struct Copies<'a, T> {
    pub above: &'a [Lanes<T>],
    pub below: &'a [Lanes<T>],
    pub strength: Lanes<T>,
}

impl<T: Real> Copies<'_, T> {
    /// No copies: for sweeps with `COUPLED = false`.
    pub fn none() -> Copies<'static, T> {
        Copies {
            above: &[],
            below: &[],
            strength: [T::ZERO; LANES],
        }
    }
}

/// `lane_sweep` with two additions chosen at compile time:
/// - `TRACK`: adds to `energy[l]` the energy change (in the normalised
///   model's units, without beta) of every flip taken in lane `l`;
/// - `COUPLED`: each spin also feels its copies in `copies`: the flip of
///   spin i in lane l is taken iff
///   x = beta[l] dE - 2 s (strength[l] (above[i][l] + below[i][l])) passes the
///   acceptance rule (rust/acceptance.rs).
///
/// With neither, the same decisions as `lane_sweep` bit for bit (the same
/// operations in the same order); with `TRACK` alone as well.
#[inline(always)]
pub fn lane_sweep_ext<T: Real, const GIBBS: bool, const TRACK: bool, const COUPLED: bool>(
    m: &KernelModel<T>,
    beta: &Lanes<T>,
    state: &mut [Lanes<T>],
    keys: &Lanes<u32>,
    copies: &Copies<'_, T>,
    energy: &mut Lanes<T>,
) {
    assert!(state.len() >= m.n, "state must hold every spin");
    if COUPLED {
        assert!(
            copies.above.len() >= m.n && copies.below.len() >= m.n,
            "copies must hold every spin"
        );
    }
    #[cfg(target_arch = "x86_64")]
    {
        use crate::kernel_avx512 as avx512;
        let tables = m.tables();
        let (rows, above, below) = (
            state.as_mut_ptr(),
            copies.above.as_ptr(),
            copies.below.as_ptr(),
        );
        // SAFETY: as in `sweep_spins`; the rows were asserted above.
        unsafe {
            if avx512_runs::<T, f32>() {
                let (tables, beta, strength) = (same(&tables), same(beta), same(&copies.strength));
                return avx512::sweep_ext::<GIBBS, TRACK, COUPLED>(
                    tables,
                    beta,
                    rows.cast(),
                    keys,
                    above.cast(),
                    below.cast(),
                    strength,
                    same_mut(energy),
                );
            }
            if avx512_runs::<T, f64>() {
                let (tables, beta, strength) = (same(&tables), same(beta), same(&copies.strength));
                return avx512::sweep_ext_f64::<GIBBS, TRACK, COUPLED>(
                    tables,
                    beta,
                    rows.cast(),
                    keys,
                    above.cast(),
                    below.cast(),
                    strength,
                    same_mut(energy),
                );
            }
        }
    }
    lane_sweep_ext_generic::<T, GIBBS, TRACK, COUPLED>(m, beta, state, keys, copies, energy)
}

/// `lane_sweep_ext` as the compiler vectorises it (the reference the AVX-512
/// code is tested against).
#[inline(always)]
pub(crate) fn lane_sweep_ext_generic<
    T: Real,
    const GIBBS: bool,
    const TRACK: bool,
    const COUPLED: bool,
>(
    m: &KernelModel<T>,
    beta: &Lanes<T>,
    state: &mut [Lanes<T>],
    keys: &Lanes<u32>,
    copies: &Copies<'_, T>,
    energy: &mut Lanes<T>,
) {
    let (lo_t, hi_t) = bounds::<T, GIBBS>();
    let half = T::from_f64(0.5);
    assert!(state.len() >= m.n, "state must hold every spin");
    if COUPLED {
        assert!(
            copies.above.len() >= m.n && copies.below.len() >= m.n,
            "copies must hold every spin"
        );
    }
    for &i in &m.order {
        let i = i as usize;
        // SAFETY: as in `lane_sweep`: every index comes from a valid graph of
        // n spins, and `state` (and, when coupled, both copies) hold n rows,
        // asserted above.
        unsafe {
            let (lo, hi) = (
                *m.offsets.get_unchecked(i) as usize,
                *m.offsets.get_unchecked(i + 1) as usize,
            );
            let nbr = m.nbr.get_unchecked(lo..hi);
            let w = m.w.get_unchecked(lo..hi);
            let mut field = [*m.h.get_unchecked(i); LANES];
            for (&j, &wj) in nbr.iter().zip(w) {
                add_scaled(&mut field, wj, state.get_unchecked(j as usize));
            }
            let salt = *m.salt.get_unchecked(i);
            let si = state.get_unchecked_mut(i);
            let s: Lanes<T> = *si;
            let mut d = [T::ZERO; LANES];
            let mut x = [T::ZERO; LANES];
            let mut undecided = false;
            if COUPLED {
                let up = copies.above.get_unchecked(i);
                let down = copies.below.get_unchecked(i);
                for l in 0..LANES {
                    d[l] = (T::MINUS_TWO * s[l]) * field[l];
                    let pull = copies.strength[l] * (up[l] + down[l]);
                    x[l] = beta[l] * d[l] + (T::MINUS_TWO * s[l]) * pull;
                    undecided |= (x[l] >= lo_t) & (x[l] < hi_t);
                }
            } else {
                for l in 0..LANES {
                    d[l] = (T::MINUS_TWO * s[l]) * field[l];
                    x[l] = beta[l] * d[l];
                    undecided |= (x[l] >= lo_t) & (x[l] < hi_t);
                }
            }
            let flip: Lanes<bool> = if undecided {
                decide::<T, GIBBS>(&x, &lane_uniforms(keys, salt))
            } else {
                let mut f = [false; LANES];
                for l in 0..LANES {
                    f[l] = x[l] < lo_t;
                }
                f
            };
            let mut new = [T::ZERO; LANES];
            for l in 0..LANES {
                new[l] = s[l].flip_if(flip[l]);
            }
            *si = new;
            if TRACK {
                // d (1 - s s') / 2 is d for a flip and 0 otherwise, exactly
                // (every factor but d is 0, 1 or a power of two), and stays
                // in vector registers where a select on a flag array may not.
                for l in 0..LANES {
                    energy[l] =
                        energy[l] + half * d[l] * (T::ONE + T::MINUS_TWO * half * s[l] * new[l]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::ReadKeys;

    fn glass(n: usize, seed: u64) -> IsingGraph {
        // A ring with chords: odd cycles, so three or more colours.
        let mut rng = crate::rng::Xoshiro256::for_stream(seed, 0);
        let (mut ir, mut ic, mut j) = (vec![], vec![], vec![]);
        for i in 0..n {
            for d in [1, 3, 7] {
                ir.push(i as i64);
                ic.push(((i + d) % n) as i64);
                j.push(rng.next_f64() * 2.0 - 1.0);
            }
        }
        let h: Vec<f64> = (0..n).map(|_| rng.next_f64() - 0.5).collect();
        IsingGraph::new(&h, &ir, &ic, &j).unwrap()
    }

    /// A chain run by `spin_sweep` ends exactly where lane `l` of a group run
    /// by `lane_sweep` ends, when both start from the same state with the
    /// same keys.
    #[test]
    fn lane_and_spin_kernels_agree_bit_for_bit() {
        let g = glass(61, 3);
        for gibbs in [false, true] {
            let m = KernelModel::<f32>::new(&g, None).unwrap();
            let groups = SpinGroups::new(&m);
            let keys: Vec<ReadKeys> = (0..LANES as u64).map(|r| ReadKeys::new(5, r)).collect();
            let mut lanes = vec![[0f32; LANES]; 61];
            for (i, s) in lanes.iter_mut().enumerate() {
                for (l, v) in s.iter_mut().enumerate() {
                    *v = if (i * 7 + l * 3) % 5 < 2 { 1.0 } else { -1.0 };
                }
            }
            let l = 5;
            let mut single: Vec<f32> = lanes.iter().map(|s| s[l]).chain([1.0]).collect();
            for t in 0..40u64 {
                let beta = m.beta(0.05 * t as f64);
                let k: Lanes<u32> = std::array::from_fn(|q| keys[q].sweep(t));
                if gibbs {
                    lane_sweep_ahead::<f32, true>(&m, &[beta; LANES], &mut lanes, &k, t % 2 == 0);
                    spin_sweep::<f32, true>(&groups, beta, &mut single, k[l]);
                } else {
                    lane_sweep_ahead::<f32, false>(&m, &[beta; LANES], &mut lanes, &k, t % 2 == 1);
                    spin_sweep::<f32, false>(&groups, beta, &mut single, k[l]);
                }
            }
            let from_lanes: Vec<f32> = lanes.iter().map(|s| s[l]).collect();
            assert_eq!(&single[..61], &from_lanes[..], "gibbs = {gibbs}");
        }
    }

    #[test]
    fn precision_follows_the_dynamic_range() {
        let ir = [0i64, 1, 2];
        let ic = [1i64, 2, 3];
        // Ordinary model: single.
        let g = IsingGraph::new(&[0.1, -0.2, 0.3, 0.0], &ir, &ic, &[1.0, -0.7, 0.4]).unwrap();
        assert_eq!(
            choose_precision(&g, 5.0, PrecisionRequest::Auto),
            Precision::Single
        );
        // The same shape at any overall scale: single (only beta * scale matters).
        let big = IsingGraph::new(
            &[1e-40, -2e-40, 3e-40, 0.0],
            &ir,
            &ic,
            &[1e-39, -7e-40, 4e-40],
        )
        .unwrap();
        assert_eq!(
            choose_precision(&big, 5e39, PrecisionRequest::Auto),
            Precision::Single
        );
        // Couplings of 1e9 beside fields of 1 at a beta that resolves the fields: double.
        let wide =
            IsingGraph::new(&[1.0, -1.0, 1.0, 0.0], &ir, &ic, &[123456789.0, -1e9, 3e8]).unwrap();
        assert_eq!(
            choose_precision(&wide, 3.0, PrecisionRequest::Auto),
            Precision::Double
        );
        assert_eq!(
            choose_precision(&wide, 3.0, PrecisionRequest::Single),
            Precision::Single
        );
        // Zero temperature needs exactness unless the rounding is nil.
        assert_eq!(
            choose_precision(&g, f64::INFINITY, PrecisionRequest::Auto),
            Precision::Double
        );
    }

    #[test]
    fn infinite_beta_is_the_greedy_rule() {
        let g = IsingGraph::new(&[0.0, 0.5], &[0], &[1], &[-1.0]).unwrap();
        let m = KernelModel::<f64>::new(&g, None).unwrap();
        let beta = m.beta(f64::INFINITY);
        assert_eq!(beta, f64::INFINITY);
        assert_eq!(m.beta(1e308), 1e308); // finite: kept
        assert_eq!(
            KernelModel::<f32>::new(&g, None).unwrap().beta(1e300),
            f32::MAX
        );
        // Spin 0 sees field -1 * s1; with s = (+1, -1) its flip lowers E: taken.
        let mut state = vec![[1.0f64; LANES], [-1.0; LANES]];
        let keys = [7u32; LANES];
        lane_sweep_ahead::<f64, false>(&m, &[beta; LANES], &mut state, &keys, false);
        assert!(state[0].iter().all(|&v| v == -1.0));
        // s = (-1, -1) is then the ground state: nothing moves any more.
        lane_sweep_ahead::<f64, false>(&m, &[beta; LANES], &mut state, &keys, false);
        assert!(state.iter().all(|s| s.iter().all(|&v| v == -1.0)));
        // A free spin with dE = 0 never flips at beta = inf (strict quench),
        // under either rule, and flips as usual at a huge finite beta.
        let free = IsingGraph::new(&[0.0], &[], &[], &[]).unwrap();
        let mf = KernelModel::<f64>::new(&free, None).unwrap();
        let mut s = vec![[1.0f64; LANES]];
        lane_sweep_ahead::<f64, false>(&mf, &[mf.beta(f64::INFINITY); LANES], &mut s, &keys, true);
        lane_sweep_ahead::<f64, true>(&mf, &[mf.beta(f64::INFINITY); LANES], &mut s, &keys, false);
        assert!(s[0].iter().all(|&v| v == 1.0));
        lane_sweep_ahead::<f64, false>(&mf, &[mf.beta(1e300); LANES], &mut s, &keys, false);
        assert!(s[0].iter().all(|&v| v == -1.0));
    }
}
