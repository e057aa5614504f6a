"""
Mutual information with uncertainty
===================================

An estimate of mutual information is a random number: another sample gives another value. Two
questions come before any interpretation: *is there any dependence at all?* (a permutation test)
and *how much does the estimate move from sample to sample?* (a bootstrap interval). Both work
with every estimator of the package, which is cloned for each resample.
"""

# %%
# Is there dependence? A permutation test
# ---------------------------------------
# Shuffling ``Y`` against ``X`` destroys any dependence and keeps both marginals: the estimates on
# shuffled data are the null distribution of the estimator at this sample size. Here the true MI
# is small, 0.02 nats, on 500 pairs of 2-dimensional Gaussians; the KSG estimate alone could not
# tell it from noise, the test can.
import matplotlib.pyplot as plt

from infotheory import KSGMI, GaussianCopulaMI, bootstrap_ci, permutation_test
from infotheory.datasets import correlated_gaussians

X, Y, true_mi = correlated_gaussians(500, mi=0.02, dim=2, random_state=1)
test = permutation_test(KSGMI(k=3), X, Y, n_permutations=200, random_state=0, progress=False)
print(f"KSG estimate {test.statistic:.4f} nats (true {true_mi}), p-value {test.pvalue:.3f}")

fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
ax.hist(test.null_distribution, bins=30, color="0.7", label="shuffled pairs (null)")
ax.axvline(test.statistic, color="C3", label=f"estimate, p = {test.pvalue:.3f}")
ax.axvline(true_mi, color="k", linestyle="--", label="true MI")
ax.set_xlabel("KSG estimate [nats]")
ax.set_title("permutation test, N = 500")
ax.legend(fontsize="small")

# %%
# How precise is it? A bootstrap interval
# ---------------------------------------
# Resampling rows with replacement repeats some of them exactly. kNN estimators such as KSG see
# zero distances between the copies, so for them ``bootstrap_ci`` subsamples half the rows
# without replacement instead (``result.scheme`` and ``result.description`` say what ran). The
# Gaussian copula estimator depends on the data only through ranks and a covariance, which
# repeated rows do not distort, so it is bootstrapped here, on a larger sample with a larger
# dependence.
X, Y, true_mi = correlated_gaussians(2000, mi=0.5, dim=2, random_state=2)
boot = bootstrap_ci(GaussianCopulaMI(), X, Y, n_resamples=200, random_state=0, progress=False)
print(f"copula estimate {boot.estimate:.3f} nats, 95% interval [{boot.low:.3f}, {boot.high:.3f}],"
      f" standard error {boot.standard_error:.3f}; true {true_mi}")

fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
ax.hist(boot.resamples, bins=30, color="0.7", label="bootstrap replicates")
ax.axvspan(boot.low, boot.high, color="C0", alpha=0.2, label="95% interval")
ax.axvline(boot.estimate, color="C3", label="estimate")
ax.axvline(true_mi, color="k", linestyle="--", label="true MI")
ax.set_xlabel("Gaussian copula estimate [nats]")
ax.set_title("bootstrap, N = 2000")
ax.legend(fontsize="small")

# %%
# What the interval covers
# ------------------------
# A bootstrap interval describes how the *estimator* varies around its own expected value. For an
# unbiased estimator that is an interval for the truth; for a biased one it is not: KSG in high
# dimension, binned estimators and spectral measures can give tight intervals around a wrong
# value. :doc:`/guide/choosing_an_estimator` says which estimators are biased, where, and in which
# direction.
