/**
 * What the Chord paper published, with where it says so. Values quoted from the text are
 * exact; where the paper gives only a figure or a rule of thumb, the entry says so and the
 * report labels that series approximate.
 */

export interface Source {
  readonly cite: string;
  readonly quote: string;
}

export const SIGCOMM =
  'I. Stoica, R. Morris, D. Karger, M. F. Kaashoek, H. Balakrishnan, "Chord: A Scalable Peer-to-peer Lookup Service for Internet Applications", ACM SIGCOMM 2001';
export const TON =
  'I. Stoica, R. Morris, D. Liben-Nowell, D. R. Karger, M. F. Kaashoek, F. Dabek, H. Balakrishnan, "Chord: A Scalable Peer-to-peer Lookup Protocol for Internet Applications", IEEE/ACM ToN 11(1), 2003';

export const PAPER = {
  keysPerNode: {
    nodes: 10_000,
    keys: [100_000, 1_000_000] as const,
    repeats: 20,
    /** 99th percentile over the mean at 5·10^5 keys. */
    p99OverMean: 4.6,
    /** Largest load at 5·10^5 keys over the mean (457 keys). */
    maxOverMean: 9.1,
    /** "In all cases some nodes store no keys." */
    p1: 0,
    source: {
      cite: `${SIGCOMM}, §6.2 and Figure 8`,
      quote:
        'For example, in all cases some nodes store no keys. … The maximum number of nodes stored by any node in this case is 457, or 9.1× the mean value. For comparison, the 99th percentile is 4.6× the mean value.',
    },
  },
  virtualNodes: {
    hosts: 10_000,
    keys: 1_000_000,
    counts: [1, 2, 5, 10, 20] as const,
    /** 99th percentile over the mean: without virtual nodes, and with 20. */
    p99OverMean: { 1: 4.8, 20: 1.6 } as Record<number, number>,
    /** 1st percentile over the mean: without virtual nodes, and with 20. */
    p1OverMean: { 1: 0, 20: 0.5 } as Record<number, number>,
    source: {
      cite: `${SIGCOMM}, §6.2 and Figure 9`,
      quote:
        'the 99th percentile decreases from 4.8× to 1.6× the mean value, while the 1st percentile increases from 0 to 0.5× the mean value',
    },
  },
  pathLength: {
    exponents: [3, 14] as const,
    keysPerNode: 100,
    source: {
      cite: `${SIGCOMM}, §6.3 and Figure 10`,
      quote:
        'the path length is about ½·log₂N … the number of fingers we need to follow will be the number of ones in the binary representation of the distance from node to query … we expect half the log N bits to be ones',
    },
  },
  failures: {
    nodes: 10_000,
    keys: 1_000_000,
    source: {
      cite: `${SIGCOMM}, §6.4 and Figure 11; ${TON}, Table II`,
      quote:
        'The lookup failure rate is almost exactly p. Since this is just the fraction of keys expected to be lost due to the failure of the responsible nodes, we conclude that there is no significant lookup failure in the Chord network',
    },
  },
  churn: {
    nodes: 500,
    stabilizeSeconds: 30,
    lookupsPerSecond: 1,
    rates: [0.01, 0.1] as const,
    /** Failed lookups at 0.1 joins and failures per second ("about 3%", measured "slightly worse"). */
    atRateTenth: 0.03,
    source: {
      cite: `${SIGCOMM}, §6.5 and Figure 12`,
      quote:
        'The simulation has 500 nodes, meaning lookup path lengths average around 5. A lookup fails if its finger path encounters a failed node. If k nodes fail, the probability that one of them is on the finger path is roughly 5k/500, or k/100. This would suggest a failure rate of about 3% if we have 3 failures between stabilizations. The graph shows results in this ball-park, but slightly worse',
    },
  },
} as const;

/** The paper's rule of thumb for Figure 12: k = R·30 s failures per stabilization, each on a 5-hop path of 500 nodes. */
export function paperChurnEstimate(rate: number): number {
  const c = PAPER.churn;
  return (rate * c.stabilizeSeconds * 5) / c.nodes;
}

/** The paper's explanation of Figure 10(b): path length ~ Binomial(log₂N, ½), i.e. the ones in a random distance. */
export function binomialHalf(n: number): number[] {
  const out: number[] = [];
  let c = 1;
  for (let k = 0; k <= n; k++) {
    out.push(c / 2 ** n);
    c = (c * (n - k)) / (k + 1);
  }
  return out;
}
