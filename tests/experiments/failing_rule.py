"""A rule that fails at run time (after validation passed), for the tests of failed runs."""

from learning_rules.rules.backprop import Backprop


class AlwaysFails(Backprop):
    """Every step raises."""

    name = "always_fails"

    def step(self, net, x, y):
        raise RuntimeError("this rule always fails")


#: a Python program that runs the CLI with ``always_fails`` registered (forked workers inherit it);
#: format it with this folder's path
CLI_WITH_FAILING_RULE = (
    "import sys; sys.path.insert(0, %r); from failing_rule import AlwaysFails; "
    "from learning_rules.rules import register; register('always_fails', AlwaysFails); "
    "from experiments.cli import main; sys.exit(main(sys.argv[1:]))"
)
